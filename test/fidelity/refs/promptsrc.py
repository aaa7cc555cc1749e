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

from _clip_towers import EncoderLayer, TextTransformer, VisionTransformer, pooled, quick_gelu, quick_gelu_control

MODELS = ["PromptSRC_Tiny"]
SOURCE = "muzairkhattak/PromptSRC bb95c77"  # the official code followed, for stdlib/README.md


class Block(EncoderLayer):
    """ResidualAttentionBlock_IVLP under HF names: layers 1 .. depth-1 own `VPT_shallow`."""

    def __init__(self, width, heads, act, eps, n_ctx, add_prompt, text):
        super().__init__(width, heads, act, eps)
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
        return super().forward(x, causal)


def ivlp_layers(width, heads, act, eps, n_ctx, prompt_depth, text):
    return lambda i: Block(width, heads, act, eps, n_ctx, 0 < i < prompt_depth, text)


class VisionTower(VisionTransformer):
    """CLIP VisionTransformer (IVLP): `VPT` appended after the positions; no projection here."""

    def __init__(self, image, patch, width, depth, heads, act, eps, n_ctx, prompt_depth):
        super().__init__(image, patch, width, depth, heads, act, eps,
                         ivlp_layers(width, heads, act, eps, n_ctx, prompt_depth, text=False))
        self.VPT = nn.Parameter(torch.randn(n_ctx, width) * 0.02)

    def forward(self, pixels, prompted):
        x = self.embeddings(pixels)
        if prompted:
            x = torch.cat([x, self.VPT.unsqueeze(0).expand(x.shape[0], -1, -1)], dim=1)
        x = self.pre_layrnorm(x)
        for layer in self.encoder.layers:
            x = layer(x, prompted)
        return self.post_layernorm(x[:, 0, :])


class TextTower(TextTransformer):
    def __init__(self, vocab, context, width, depth, heads, act, eps, n_ctx, prompt_depth):
        super().__init__(vocab, context, width, depth, heads, act, eps,
                         ivlp_layers(width, heads, act, eps, n_ctx, prompt_depth, text=True))
        self.n_ctx = n_ctx

    def forward(self, ids, ctx=None):
        """ctx given: the prompted encoder (construct_prompts + IVLP layers); None: frozen CLIP."""
        x = self.embeddings.token_embedding(ids)
        if ctx is not None:
            x = torch.cat([x[:, :1], ctx.unsqueeze(0).expand(x.shape[0], -1, -1), x[:, 1 + self.n_ctx:]], dim=1)
        x = x + self.embeddings.position_embedding.weight
        for layer in self.encoder.layers:
            x = layer(x, ctx is not None, causal=True)
        return pooled(self.final_layer_norm(x), ids)


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
    act = quick_gelu_control if control else quick_gelu
    m = PromptSRC(act)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["prompt_ids"], inp["template_ids"], inp["labels"])
