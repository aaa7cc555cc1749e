"""PromptSRC (Khattak et al., ICCV 2023): self-regulating prompts on a frozen CLIP ViT.

Provenance: muzairkhattak/PromptSRC, commit bb95c77 (HEAD of main): trainers/promptsrc.py
(`VLPromptLearner`: `ctx` spliced after SOS, `fixed_embeddings` = the mean over the templates of
frozen CLIP's `encode_text` features, normalised in `CustomCLIP.forward`; `CustomCLIP.forward`:
logits, zero-shot features from the frozen `ZS_image_encoder`, zero_shot_logits = exp(logit_scale)
* zs @ fixed.T; `PromptSRC.forward_backward`: loss_ce, L1 text (x TEXT_LOSS_WEIGHT 25), L1 image
(x IMAGE_LOSS_WEIGHT 10), F.kl_div(log_softmax(logits), log_softmax(zero_shot_logits), 'sum',
log_target=True) / logits.numel()) and clip/model.py (`ResidualAttentionBlock_IVLP`: layers
1 .. depth-1 own `VPT_shallow`, text layers replace positions 1..n_ctx, image layers the last
n_ctx tokens; `VisionTransformer`: `VPT` appended after the positional embedding, before
ln_pre). Written anew in plain torch, fp32. GPA (the epoch-weighted state-dict average) is a
trainer operation between steps and is not modelled.

Names: the frozen CLIP under Hugging Face's CLIPModel names (OpenAI's `visual.VPT` ->
`vision_model.VPT`, `transformer.resblocks.N.VPT_shallow` -> `text_model.encoder.layers.N.
VPT_shallow`, `visual.transformer.resblocks.N.VPT_shallow` -> `vision_model.encoder.layers.N.
VPT_shallow`), `prompt_learner.ctx`. The official `prompt_learner.ZS_image_encoder` is a second
copy of the same frozen CLIP image tower (same checkpoint, never trained): here the frozen tower
is run again without prompts, as the zero-shot teacher.
Sizes: stdlib/models/promptsrc.mm's PromptSRC_Tiny (vision 32px/8, width 64, 2 layers, 4
heads; text vocab 1000, context 16, width 48, 2 layers, 4 heads; embed 32; 4 + 4 prompt tokens,
prompt depth 2).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["PromptSRC_Tiny"]


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
    """ResidualAttentionBlock_IVLP under HF names: layers 1 .. depth-1 own `VPT_shallow`."""

    def __init__(self, width, heads, act, eps, n_ctx, add_prompt, text):
        super().__init__()
        self.self_attn = Attention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width, eps=eps)
        self.mlp = MLP(width, act)
        self.layer_norm2 = nn.LayerNorm(width, eps=eps)
        self.add_prompt, self.text, self.n_ctx = add_prompt, text, n_ctx
        if add_prompt:
            self.VPT_shallow = nn.Parameter(torch.randn(n_ctx, width) * 0.02)

    def forward(self, x, prompted, causal=False):
        if self.add_prompt and prompted:
            ctx = self.VPT_shallow.unsqueeze(0).expand(x.shape[0], -1, -1)
            if self.text:
                x = torch.cat([x[:, :1], ctx, x[:, 1 + self.n_ctx:]], dim=1)
            else:
                x = torch.cat([x[:, : x.shape[1] - self.n_ctx], ctx], dim=1)
        x = x + self.self_attn(self.layer_norm1(x), causal)
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, width, depth, heads, act, eps, n_ctx, prompt_depth, text):
        super().__init__()
        self.layers = nn.ModuleList([Block(width, heads, act, eps, n_ctx, 0 < i < prompt_depth, text)
                                     for i in range(depth)])


class VisionEmbeddings(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((image // patch) ** 2 + 1, width)


class VisionTower(nn.Module):
    """CLIP VisionTransformer (IVLP): `VPT` appended after the positions; no projection here."""

    def __init__(self, image, patch, width, depth, heads, act, eps, n_ctx, prompt_depth):
        super().__init__()
        self.embeddings = VisionEmbeddings(image, patch, width)
        self.VPT = nn.Parameter(torch.randn(n_ctx, width) * 0.02)
        self.pre_layrnorm = nn.LayerNorm(width, eps=eps)
        self.encoder = Encoder(width, depth, heads, act, eps, n_ctx, prompt_depth, text=False)
        self.post_layernorm = nn.LayerNorm(width, eps=eps)

    def forward(self, pixels, prompted):
        e = self.embeddings
        x = e.patch_embedding(pixels).flatten(2).permute(0, 2, 1)
        b = x.shape[0]
        x = torch.cat([e.class_embedding.view(1, 1, -1).expand(b, 1, -1), x], dim=1)
        x = x + e.position_embedding.weight
        if prompted:
            x = torch.cat([x, self.VPT.unsqueeze(0).expand(b, -1, -1)], dim=1)
        x = self.pre_layrnorm(x)
        for layer in self.encoder.layers:
            x = layer(x, prompted)
        return self.post_layernorm(x[:, 0, :])


class TextEmbeddings(nn.Module):
    def __init__(self, vocab, context, width):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)


class TextTower(nn.Module):
    def __init__(self, vocab, context, width, depth, heads, act, eps, n_ctx, prompt_depth):
        super().__init__()
        self.n_ctx = n_ctx
        self.embeddings = TextEmbeddings(vocab, context, width)
        self.encoder = Encoder(width, depth, heads, act, eps, n_ctx, prompt_depth, text=True)
        self.final_layer_norm = nn.LayerNorm(width, eps=eps)

    def forward(self, ids, ctx=None):
        """ctx given: the prompted encoder (construct_prompts + IVLP layers); None: frozen CLIP."""
        x = self.embeddings.token_embedding(ids)
        if ctx is not None:
            x = torch.cat([x[:, :1], ctx.unsqueeze(0).expand(x.shape[0], -1, -1), x[:, 1 + self.n_ctx:]], dim=1)
        x = x + self.embeddings.position_embedding.weight
        for layer in self.encoder.layers:
            x = layer(x, ctx is not None, causal=True)
        x = self.final_layer_norm(x)
        return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)]


class VLPromptLearner(nn.Module):
    def __init__(self, n_ctx, ctx_dim):
        super().__init__()
        self.ctx = nn.Parameter(torch.randn(n_ctx, ctx_dim) * 0.02)


class PromptSRC(nn.Module):
    def __init__(self, act, eps=1e-5, n_ctx=4, depth=2, embed=32, text_w=25.0, image_w=10.0):
        super().__init__()
        self.text_w, self.image_w = text_w, image_w
        self.vision_model = VisionTower(32, 8, 64, 2, 4, act, eps, n_ctx, depth)
        self.text_model = TextTower(1000, 16, 48, 2, 4, act, eps, n_ctx, depth)
        self.visual_projection = nn.Linear(64, embed, bias=False)
        self.text_projection = nn.Linear(48, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.prompt_learner = VLPromptLearner(n_ctx, 48)

    def forward(self, pixel_values, prompt_ids, template_ids, labels):
        logit_scale = self.logit_scale.exp()
        text = self.text_projection(self.text_model(prompt_ids, self.prompt_learner.ctx))
        image = self.visual_projection(self.vision_model(pixel_values, True))
        image = image / image.norm(dim=-1, keepdim=True)
        text = text / text.norm(dim=-1, keepdim=True)
        logits = logit_scale * image @ text.t()
        loss_ce = F.cross_entropy(logits, labels)
        # fixed_embeddings: per template encode_text of frozen CLIP, mean over the templates
        c, k, t = template_ids.shape
        per_template = [self.text_projection(self.text_model(template_ids[:, j])) for j in range(k)]
        fixed = torch.stack(per_template, dim=1).mean(dim=1)
        fixed = fixed / fixed.norm(dim=-1, keepdim=True)
        zs = self.visual_projection(self.vision_model(pixel_values, False))
        zs = zs / zs.norm(dim=-1, keepdim=True)
        zs_logits = logit_scale * zs @ fixed.t()
        loss_text = F.l1_loss(text, fixed, reduction="mean") * self.text_w
        loss_image = F.l1_loss(image, zs, reduction="mean") * self.image_w
        loss_logits = F.kl_div(F.log_softmax(logits, dim=1), F.log_softmax(zs_logits, dim=1),
                               reduction="sum", log_target=True) / logits.numel()
        return {"logits": logits, "zero_shot_logits": zs_logits, "loss_ce": loss_ce,
                "loss_scl_text": loss_text, "loss_scl_image": loss_image, "loss_scl_logits": loss_logits}


def build(model, control):
    """The reference for `model`; control: QuickGELU's 1.702 becomes 1.6 (must fail)."""
    act = (lambda x: x * torch.sigmoid(1.6 * x)) if control else quick_gelu
    m = PromptSRC(act)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["prompt_ids"], inp["template_ids"], inp["labels"])
