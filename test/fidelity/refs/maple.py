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

from _clip_towers import TextTransformer, VisionTransformer, pooled, quick_gelu, quick_gelu_control

MODELS = ["MaPLe_Tiny"]
SOURCE = "muzairkhattak/multimodal-prompt-learning 69bce21"  # the official code followed, for stdlib/README.md
LAYOUT = "official"  # the model's layout with the official names (the nn.ParameterList row by row)


class VisionTower(VisionTransformer):
    """VisionTransformer_MaPLe under HF names (ln_pre = pre_layrnorm, ln_post = post_layernorm):
    the shared context appended after the positions, deep prompts replacing it from layer 1."""

    def __init__(self, image, patch, width, depth, heads, act, eps, n_ctx):
        super().__init__(image, patch, width, depth, heads, act, eps)
        self.n_ctx = n_ctx

    def forward(self, pixels, shared_ctx, deep_prompts):
        x = self.embeddings(pixels)
        b = x.shape[0]
        x = self.pre_layrnorm(torch.cat([x, shared_ctx.unsqueeze(0).expand(b, -1, -1)], dim=1))
        for i, layer in enumerate(self.encoder.layers):
            if 0 < i <= len(deep_prompts):
                x = torch.cat([x[:, : x.shape[1] - self.n_ctx], deep_prompts[i - 1].unsqueeze(0).expand(b, -1, -1)], 1)
            x = layer(x)
        return self.post_layernorm(x[:, 0, :])


class TextTower(TextTransformer):
    """CLIP's text transformer with MaPLe's deep text prompts (HF names)."""

    def __init__(self, vocab, context, width, depth, heads, act, eps, n_ctx):
        super().__init__(vocab, context, width, depth, heads, act, eps)
        self.n_ctx = n_ctx

    def forward(self, ids, ctx, deep_prompts):
        n = self.n_ctx
        emb = self.embeddings.token_embedding(ids)
        c = ids.shape[0]
        # construct_prompts: token_prefix (SOS), ctx, token_suffix
        x = torch.cat([emb[:, :1], ctx.unsqueeze(0).expand(c, -1, -1), emb[:, 1 + n:]], dim=1)
        x = x + self.embeddings.position_embedding.weight
        for i, layer in enumerate(self.encoder.layers):
            if 0 < i <= len(deep_prompts):
                x = torch.cat([x[:, :1], deep_prompts[i - 1].unsqueeze(0).expand(c, -1, -1), x[:, 1 + n:]], 1)
            x = layer(x, causal=True)
        return pooled(self.final_layer_norm(x), ids)


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
    act = quick_gelu_control if control else quick_gelu
    m = MaPLe(act)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["prompt_ids"], inp["labels"])
