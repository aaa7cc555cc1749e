"""DAC (Gondal et al., WACV 2024, "Domain Aligned CLIP for Few-shot Classification").

Provenance: no official code has been released (none found on GitHub; stdlib/models/dac.mm says
the same), so this reference follows the paper's description and the official code of the pieces
it builds on, each written anew in plain torch:
- the frozen CLIP: huggingface/transformers v4.40, models/clip/modeling_clip.py (CLIPModel,
  QuickGELU, LayerNorm eps 1e-5, causal text mask, eot pooling at argmax(ids));
- the text classifier: gaopengcuhk/Tip-Adapter, utils.py `clip_classifier` (per class: encode
  the templates, L2-normalise each, average, L2-normalise again);
- the cache model: gaopengcuhk/Tip-Adapter, main.py (`cache_logits = ((-1) * (beta - beta *
  affinity)).exp() @ cache_values`, `tip_logits = 100. * clip_logits + cache_logits * alpha`);
- the intra-modal contrastive loss: HobbitLong/SupContrast, losses.py `SupConLoss` (one view,
  temperature = base_temperature = 0.07, self-contrast masked out, anchors without positives
  counted with 0);
- what the paper leaves open, as dac.mm states it: the adapter is one Linear(embed, embed) on the
  normalised embeddings (queries and keys), the text modulation a residual [classes, embed],
  beta 5.5, alpha 1.0, the DAC-T loss cross-entropy on the modulated CLIP logits.
This checks mm against the paper's equations and those codes, not against DAC's own code.

Names: HF CLIPModel's (vision_model, text_model, visual_projection, text_projection,
logit_scale); DAC's own `visual_adapter`, `text_residual` (no official names exist).
Sizes: stdlib/models/dac.mm's DAC_Tiny (vision 32px/8, width 64, 2 layers, 4 heads; text vocab
1000, context 16, width 48, 2 layers, 4 heads; embed 32; 10 classes).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from _clip_towers import TextTransformer, VisionTransformer, quick_gelu, quick_gelu_control

MODELS = ["DAC_Tiny"]
SOURCE = "no official code: Hugging Face CLIP, Tip-Adapter, HobbitLong/SupContrast"  # the official code followed, for stdlib/README.md


def supcon(features, labels, temperature=0.07, base_temperature=0.07):
    """SupContrast's SupConLoss for one view ([B, D] normalised features)."""
    b = features.shape[0]
    mask = torch.eq(labels.view(-1, 1), labels.view(1, -1)).float()
    logits = features @ features.t() / temperature
    logits = logits - logits.max(dim=1, keepdim=True).values.detach()
    not_self = 1.0 - torch.eye(b)
    mask = mask * not_self
    exp_logits = torch.exp(logits) * not_self
    log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
    pos = mask.sum(1)
    pos = torch.where(pos < 1e-6, torch.ones_like(pos), pos)
    mean_log_prob_pos = (mask * log_prob).sum(1) / pos
    return (-(temperature / base_temperature) * mean_log_prob_pos).mean()


class DAC(nn.Module):
    def __init__(self, act, eps=1e-5, classes=10, embed=32, alpha=1.0, beta=5.5, temperature=0.07):
        super().__init__()
        self.classes, self.alpha, self.beta, self.temperature = classes, alpha, beta, temperature
        self.vision_model = VisionTransformer(32, 8, 64, 2, 4, act, eps)
        self.text_model = TextTransformer(1000, 16, 48, 2, 4, act, eps)
        self.visual_projection = nn.Linear(64, embed, bias=False)
        self.text_projection = nn.Linear(48, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.visual_adapter = nn.Linear(embed, embed)
        self.text_residual = nn.Parameter(torch.zeros(classes, embed))

    def forward(self, pixel_values, labels, template_ids, cache_keys, cache_labels):
        norm = lambda x: x / x.norm(dim=-1, keepdim=True)
        image = norm(self.visual_projection(self.vision_model(pixel_values)))
        # Tip-Adapter's clip_classifier over the templates
        weights = []
        for c in range(template_ids.shape[0]):
            e = norm(self.text_projection(self.text_model(template_ids[c])))
            weights.append(norm(e.mean(dim=0)))
        class_embeds = torch.stack(weights, dim=0)
        text_classifier = norm(class_embeds + self.text_residual)
        cross_modal = self.logit_scale.exp() * image @ text_classifier.t()
        # the cache model on adapted, normalised embeddings
        q = norm(self.visual_adapter(image))
        keys = norm(self.visual_adapter(norm(cache_keys)))
        values = F.one_hot(cache_labels, self.classes).float()
        affinity = q @ keys.t()
        intra_modal = ((-1) * (self.beta - self.beta * affinity)).exp() @ values
        logits = cross_modal + intra_modal * self.alpha
        return {"image_embeds": image, "logits": logits, "cross_modal_logits": cross_modal,
                "intra_modal_logits": intra_modal,
                "loss_intra_contrastive": supcon(keys, cache_labels, self.temperature),
                "loss_inter_ce": F.cross_entropy(cross_modal, labels)}


def build(model, control):
    """The reference for `model`; control: QuickGELU's 1.702 becomes 1.6 (must fail)."""
    act = quick_gelu_control if control else quick_gelu
    m = DAC(act)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["labels"], inp["template_ids"],
                                   inp["cache_keys"], inp["cache_labels"])
