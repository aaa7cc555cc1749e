"""TaI-DPT (Guo et al., CVPR 2023, "Texts as Images in Prompt Tuning for Multi-Label Image
Recognition"): double-grained prompts learned from captions, evaluated on images.

Provenance: guozix/TaI-DPT, commit 1333eca (HEAD of main): trainers/Caption_distill_double.py
(`PromptLearner`: `ctx`, `ctx_double`, `temperature`, `spatial_T`, `ranking_scale`, prompts =
[token_prefix, ctx, token_suffix] with CLASS_TOKEN_POSITION "end"; `TextEncoder.forward` with
if_embedding / if_sequence; `DenseCLIP.forward` for training (captions: eot feature = global,
projected token features = local, text_mask = (captions == 0) * -10000, softmax over the tokens
with spatial_SCALE_text, logits_local = sum(logit_scale * logits_neg * prob)) and for testing
(if_test: `encode_image` = stem + layer1-4, local = c_proj(v_proj(pixels)) without positions,
global = `attnpool(x, if_pos=False)`, spatial_SCALE_image); `forward_backward` LOSSFUNC
'double_ranking' = ranking_loss(logits) + ranking_loss(logits_local), scale 1, margin 1),
trainers/utils.py (`ranking_loss`), clip/model.py (`AttentionPool2d.forward(if_pos)`,
ModifiedResNet, the CLIP text transformer), configs/trainers/Caption_distill_double/
rn50_coco2014.yaml (IF_LEARN_SCALE False -> logit scale 4.0, IF_LEARN_spatial_SCALE False,
spatial_SCALE_text 50, spatial_SCALE_image 40, LOSSFUNC double_ranking). Written anew, fp32.

Names: the prompt learner's official names (`prompt_learner.ctx`, `ctx_double`, `temperature`,
`spatial_T`, `ranking_scale`); the frozen CLIP RN50 with OpenAI's ModifiedResNet names under
`vision_model` (including the nn.Sequential shortcut `downsample.0` / `downsample.1` and the
BatchNorm buffers) and Hugging Face's CLIP text names (`text_model`, `text_projection`,
`logit_scale`), as stdlib/models/clip.mm's CLIP_RN50.
Sizes: stdlib/models/textasimages.mm's TextAsImages_Tiny (n_ctx 4, embed 64; CLIP ResNet
layers [1,1,1,1], width 2, heads 4, 32 px; text vocab 1000, context 16, width 64, 2 layers,
4 heads).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from _clip_towers import ModifiedResNet, TextTransformer, quick_gelu, quick_gelu_control

MODELS = ["TextAsImages_Tiny"]
SOURCE = "guozix/TaI-DPT 1333eca"  # the official code followed, for stdlib/README.md


class PromptLearner(nn.Module):
    def __init__(self, n_ctx, ctx_dim):
        super().__init__()
        self.ctx = nn.Parameter(torch.randn(n_ctx, ctx_dim) * 0.02)
        self.ctx_double = nn.Parameter(torch.randn(n_ctx, ctx_dim) * 0.02)
        self.temperature = nn.Parameter(torch.tensor(3.0))
        self.spatial_T = nn.Parameter(torch.tensor(3.0))
        self.ranking_scale = nn.Parameter(torch.tensor(4.0))

    def forward(self, token_embeds):
        """(prompts, prompts_double): [prefix, ctx, suffix] per class (position 'end')."""
        n = self.ctx.shape[0]
        c = token_embeds.shape[0]
        prefix, suffix = token_embeds[:, :1], token_embeds[:, 1 + n:]
        prompts = torch.cat([prefix, self.ctx.unsqueeze(0).expand(c, -1, -1), suffix], dim=1)
        prompts_double = torch.cat([prefix, self.ctx_double.unsqueeze(0).expand(c, -1, -1), suffix], dim=1)
        return prompts, prompts_double, self.temperature, self.spatial_T, self.ranking_scale


def ranking_loss(y_pred, y_true, scale_=1.0, margin_=1):
    y_pred = y_pred * scale_
    tmp = margin_ - y_pred[:, None, :] + y_pred[:, :, None]
    losses = torch.maximum(torch.zeros_like(tmp), tmp) * y_true[:, None, :] * (1 - y_true[:, :, None])
    return losses.sum(dim=-1).sum(dim=-1).mean()


class TaIDPT(nn.Module):
    def __init__(self, act, eps=1e-5, n_ctx=4, embed=64, learn_scale=False, learn_spatial=False,
                 spatial_text=50.0, spatial_image=40.0):
        super().__init__()
        self.learn_scale, self.learn_spatial = learn_scale, learn_spatial
        self.spatial_text, self.spatial_image = spatial_text, spatial_image
        self.vision_model = ModifiedResNet([1, 1, 1, 1], embed, 4, 32, 2)
        self.text_model = TextTransformer(1000, 16, 64, 2, 4, act, eps)
        self.text_projection = nn.Linear(64, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.prompt_learner = PromptLearner(n_ctx, 64)

    def encode_text(self, prompts, tokenized):
        x = self.text_model.encode(prompts)
        return self.text_projection(x[torch.arange(x.shape[0]), tokenized.argmax(dim=-1)])

    def class_features(self, prompt_ids):
        prompts, prompts_double, temperature, spatial_T, _ = self.prompt_learner(
            self.text_model.embeddings.token_embedding(prompt_ids))
        text = self.encode_text(prompts, prompt_ids)
        text_neg = self.encode_text(prompts_double, prompt_ids)
        norm = lambda x: x / x.norm(dim=-1, keepdim=True)
        scale = temperature.exp() if self.learn_scale else 4.0
        return norm(text), norm(text_neg), scale, spatial_T

    def train_branch(self, captions, prompt_ids):
        seq = self.text_projection(self.text_model.encode(self.text_model.embeddings.token_embedding(captions)))
        glob = seq[torch.arange(seq.shape[0]), captions.argmax(dim=-1)]
        local = seq.permute(1, 0, 2)  # L B D
        text, text_neg, scale, spatial_T = self.class_features(prompt_ids)
        glob = glob / glob.norm(dim=-1, keepdim=True)
        local = local / local.norm(dim=-1, keepdim=True)
        text_mask = (captions == 0).long() * (-10000)
        logits = scale * glob @ text.t()
        logits_neg = local @ text_neg.t()  # L B C
        logits_neg = (logits_neg.permute(2, 1, 0) + text_mask[None, :, :]).permute(2, 1, 0)
        tmp = spatial_T.exp() if self.learn_spatial else self.spatial_text
        prob = F.softmax(logits_neg * tmp, dim=0)
        return logits, torch.sum(scale * logits_neg * prob, dim=0)

    def test_branch(self, images, prompt_ids):
        pool = self.vision_model.attnpool
        feat = self.vision_model.features(images)
        b, c, h, w = feat.shape
        x = feat.reshape(b, c, h * w).permute(2, 0, 1)  # HW B C
        x = F.linear(x, pool.v_proj.weight, pool.v_proj.bias)
        local = F.linear(x, pool.c_proj.weight, pool.c_proj.bias)
        glob = pool.pool(feat, with_positions=False)
        text, text_neg, scale, spatial_T = self.class_features(prompt_ids)
        glob = glob / glob.norm(dim=-1, keepdim=True)
        local = local / local.norm(dim=-1, keepdim=True)
        logits = scale * glob @ text.t()
        logits_neg = local @ text_neg.t()  # HW B C
        tmp = spatial_T.exp() if self.learn_spatial else self.spatial_image
        prob = F.softmax(logits_neg * tmp, dim=0)
        return logits, torch.sum(scale * logits_neg * prob, dim=0)

    def forward(self, caption_ids, caption_labels, pixel_values, prompt_ids):
        cap_logits, cap_local = self.train_branch(caption_ids, prompt_ids)
        loss = ranking_loss(cap_logits, caption_labels) + ranking_loss(cap_local, caption_labels)
        logits, logits_local = self.test_branch(pixel_values, prompt_ids)
        return {"caption_logits": cap_logits, "loss_double_ranking": loss, "logits": logits,
                "logits_local": logits_local}


def build(model, control):
    """The reference for `model`; control: QuickGELU's 1.702 becomes 1.6 and every BatchNorm's
    eps becomes 1e-3 (must fail)."""
    act = quick_gelu_control if control else quick_gelu
    m = TaIDPT(act)
    if control:
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.eps = 1e-3
    return m, lambda mod, inp: mod(inp["caption_ids"], inp["caption_labels"], inp["pixel_values"],
                                   inp["prompt_ids"])
