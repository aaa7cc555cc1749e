"""MaPLe (Khattak et al., CVPR 2023): multi-modal prompt learning on a frozen CLIP ViT.

Provenance: muzairkhattak/multimodal-prompt-learning, commit 69bce21 (HEAD of main):
trainers/maple.py (`MultiModalPromptLearner.__init__/forward/construct_prompts`,
`TextEncoder.forward`, `CustomCLIP.forward`: logits = exp(logit_scale) * img_n @ txt_n.T,
F.cross_entropy(logits, label) in training) and clip/model.py (`ResidualAttentionBlock_MaPLe`,
`VisionTransformer_MaPLe`, `Transformer`, `CLIP`: pre-LN blocks, QuickGELU, LayerNorm eps 1e-5,
causal text mask, eot pooling at argmax(ids)). Written anew in plain torch, fp32 (the official
`.half()` casts of the prompts are precision, not semantics).

What it covers: the prompt learner (first-layer text context `ctx` spliced in after SOS; its
image under `proj` appended after the patch tokens before ln_pre; for layers 1 .. depth-1 the
text prompts `compound_prompts_text[i]` replace positions 1..n_ctx and their images under
`compound_prompt_projections[i]` replace the last n_ctx image tokens), both prompted towers,
the logits and the cross-entropy.

Names: the frozen CLIP under Hugging Face's CLIPModel names (the HF checkpoint of the same
OpenAI weights; HF's conversion maps `visual.proj` to `visual_projection.weight`.T and splits
`in_proj_weight` into q/k/v), the prompt learner under the official names, including the
nn.ParameterList `prompt_learner.compound_prompts_text.0` ... `.{depth-2}`, each [n_ctx, ctx_dim].
Sizes: stdlib/models/maple.mm's MaPLe_Tiny (vision 32px/8, width 64, 2 layers, 4 heads; text
vocab 1000, context 16, width 48, 2 layers, 4 heads; embed 32; n_ctx 2, prompt depth 2).
"""
import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["MaPLe_Tiny"]


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    """nn.MultiheadAttention's math (OpenAI's `attn`) under HF CLIP's names."""

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.v_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x, causal=False):
        b, t, w = x.shape
        hd = w // self.heads
        heads = lambda y: y.reshape(b, t, self.heads, hd).permute(0, 2, 1, 3)
        q, k, v = heads(self.q_proj(x)), heads(self.k_proj(x)), heads(self.v_proj(x))
        att = torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(hd)
        if causal:
            att = att + torch.full((t, t), float("-inf")).triu(1)
        out = torch.matmul(att.softmax(dim=-1), v).permute(0, 2, 1, 3).reshape(b, t, w)
        return self.out_proj(out)


class MLP(nn.Module):
    def __init__(self, width, act):
        super().__init__()
        self.act = act
        self.fc1, self.fc2 = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """ResidualAttentionBlock_MaPLe: the prompt replacement is done by the caller."""

    def __init__(self, width, heads, act, eps):
        super().__init__()
        self.self_attn = Attention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.mlp = MLP(width, act)
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)

    def forward(self, x, causal=False):
        x = x + self.self_attn(self.layer_norm1(x), causal)
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, width, depth, heads, act, eps):
        super().__init__()
        self.layers = nn.ModuleList([Block(width, heads, act, eps) for _ in range(depth)])


class VisionEmbeddings(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((image // patch) ** 2 + 1, width)


class VisionTower(nn.Module):
    """VisionTransformer_MaPLe under HF names (ln_pre = pre_layrnorm, ln_post = post_layernorm)."""

    def __init__(self, image, patch, width, depth, heads, act, eps, n_ctx):
        super().__init__()
        self.n_ctx = n_ctx
        self.embeddings = VisionEmbeddings(image, patch, width)
        self.pre_layrnorm = nn.LayerNorm(width, eps=eps)
        self.encoder = Encoder(width, depth, heads, act, eps)
        self.post_layernorm = nn.LayerNorm(width, eps=eps)

    def forward(self, pixels, shared_ctx, deep_prompts):
        e = self.embeddings
        x = e.patch_embedding(pixels).flatten(2).permute(0, 2, 1)
        b = x.shape[0]
        x = torch.cat([e.class_embedding.view(1, 1, -1).expand(b, 1, -1), x], dim=1)
        x = x + e.position_embedding.weight
        x = torch.cat([x, shared_ctx.unsqueeze(0).expand(b, -1, -1)], dim=1)
        x = self.pre_layrnorm(x)
        counter = 0
        for i, layer in enumerate(self.encoder.layers):
            if i > 0 and counter < len(deep_prompts):
                x = torch.cat([x[:, : x.shape[1] - self.n_ctx], deep_prompts[counter].unsqueeze(0).expand(b, -1, -1)], 1)
                counter += 1
            x = layer(x)
        return self.post_layernorm(x[:, 0, :])


class TextEmbeddings(nn.Module):
    def __init__(self, vocab, context, width):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)


class TextTower(nn.Module):
    """CLIP's text transformer with MaPLe's deep text prompts (HF names)."""

    def __init__(self, vocab, context, width, depth, heads, act, eps, n_ctx):
        super().__init__()
        self.n_ctx = n_ctx
        self.embeddings = TextEmbeddings(vocab, context, width)
        self.encoder = Encoder(width, depth, heads, act, eps)
        self.final_layer_norm = nn.LayerNorm(width, eps=eps)

    def forward(self, ids, ctx, deep_prompts):
        n = self.n_ctx
        emb = self.embeddings.token_embedding(ids)
        c = ids.shape[0]
        # construct_prompts: token_prefix (SOS), ctx, token_suffix
        x = torch.cat([emb[:, :1], ctx.unsqueeze(0).expand(c, -1, -1), emb[:, 1 + n:]], dim=1)
        x = x + self.embeddings.position_embedding.weight
        counter = 0
        for i, layer in enumerate(self.encoder.layers):
            if i > 0 and counter < len(deep_prompts):
                x = torch.cat([x[:, :1], deep_prompts[counter].unsqueeze(0).expand(c, -1, -1), x[:, 1 + n:]], 1)
                counter += 1
            x = layer(x, causal=True)
        x = self.final_layer_norm(x)
        return x[torch.arange(c), ids.argmax(dim=-1)]


class MultiModalPromptLearner(nn.Module):
    def __init__(self, n_ctx, ctx_dim, vision_width, depth):
        super().__init__()
        self.ctx = nn.Parameter(torch.randn(n_ctx, ctx_dim) * 0.02)
        self.proj = nn.Linear(ctx_dim, vision_width)
        self.compound_prompts_text = nn.ParameterList(
            [nn.Parameter(torch.randn(n_ctx, ctx_dim) * 0.02) for _ in range(depth - 1)])
        single = nn.Linear(ctx_dim, vision_width)
        self.compound_prompt_projections = nn.ModuleList([copy.deepcopy(single) for _ in range(depth - 1)])

    def forward(self):
        visual_deep = [layer(self.compound_prompts_text[i]) for i, layer in enumerate(self.compound_prompt_projections)]
        return self.ctx, self.proj(self.ctx), list(self.compound_prompts_text), visual_deep


class MaPLe(nn.Module):
    def __init__(self, act, eps=1e-5, n_ctx=2, depth=2, embed=32):
        super().__init__()
        self.vision_model = VisionTower(32, 8, 64, 2, 4, act, eps, n_ctx)
        self.text_model = TextTower(1000, 16, 48, 2, 4, act, eps, n_ctx)
        self.visual_projection = nn.Linear(64, embed, bias=False)
        self.text_projection = nn.Linear(48, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.prompt_learner = MultiModalPromptLearner(n_ctx, 48, 64, depth)

    def forward(self, pixel_values, prompt_ids, labels):
        ctx, shared_ctx, deep_text, deep_vision = self.prompt_learner()
        text = self.text_projection(self.text_model(prompt_ids, ctx, deep_text))
        image = self.visual_projection(self.vision_model(pixel_values, shared_ctx, deep_vision))
        image = image / image.norm(dim=-1, keepdim=True)
        text = text / text.norm(dim=-1, keepdim=True)
        logits = self.logit_scale.exp() * image @ text.t()
        return {"logits": logits, "loss_ce": F.cross_entropy(logits, labels)}


def build(model, control):
    """The reference for `model`; control: QuickGELU's 1.702 becomes 1.6 (must fail)."""
    act = (lambda x: x * torch.sigmoid(1.6 * x)) if control else quick_gelu
    m = MaPLe(act)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["prompt_ids"], inp["labels"])
