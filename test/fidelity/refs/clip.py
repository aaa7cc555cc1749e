"""CLIP ViT, Hugging Face's CLIPModel (the stdlib's layout for the ViT variants).

Provenance: huggingface/transformers, src/transformers/models/clip/modeling_clip.py (v4.40:
the towers in _clip_towers.py; CLIPModel.forward and clip_loss here), written anew in plain
torch with the same state-dict names. The text pooler is the eos_token_id == 2 path
(the released configs): the state at argmax(input_ids). Sizes are the stdlib's _Tiny
variants (stdlib/models/clip.mm).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from _clip_towers import TextTransformer, VisionTransformer, quick_gelu, quick_gelu_control

MODELS = ["CLIP_ViT_B32_Tiny", "CLIP_ViT_B16_Tiny", "CLIP_ViT_L14_Tiny", "CLIP_ViT_L14_336_Tiny"]
SOURCE = "huggingface/transformers v4.40 (modeling_clip.py)"  # the official code followed, for stdlib/README.md

# model: (embed, image, patch, vision width, vision depth, vision heads, text width, text heads)
SIZES = {
    "CLIP_ViT_B32_Tiny": (32, 32, 8, 64, 2, 4, 64, 4),
    "CLIP_ViT_B16_Tiny": (32, 32, 4, 64, 2, 4, 64, 4),
    "CLIP_ViT_L14_Tiny": (48, 32, 4, 64, 2, 8, 48, 4),
    "CLIP_ViT_L14_336_Tiny": (48, 28, 4, 64, 2, 8, 48, 4),
}


class CLIPModel(nn.Module):
    def __init__(self, embed, image, patch, vw, vd, vh, tw, th, act, eps):
        super().__init__()
        self.vision_model = VisionTransformer(image, patch, vw, vd, vh, act, eps)
        self.text_model = TextTransformer(1000, 16, tw, 2, th, act, eps)
        self.visual_projection = nn.Linear(vw, embed, bias=False)
        self.text_projection = nn.Linear(tw, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(2.6592))

    def forward(self, pixel_values, input_ids):
        img = F.normalize(self.visual_projection(self.vision_model(pixel_values)), dim=-1)
        txt = F.normalize(self.text_projection(self.text_model(input_ids)), dim=-1)
        logits_per_text = self.logit_scale.exp() * txt @ img.t()
        target = torch.arange(len(img))
        loss = (F.cross_entropy(logits_per_text, target) + F.cross_entropy(logits_per_text.t(), target)) / 2
        return {"image_embeds": img, "text_embeds": txt, "logits_per_image": logits_per_text.t(),
                "logits_per_text": logits_per_text, "loss_itc": loss}


def build(model, control):
    """The reference for `model`; control: quick_gelu's 1.702 becomes 1.6 (must fail)."""
    act = quick_gelu_control if control else quick_gelu
    m = CLIPModel(*SIZES[model], act=act, eps=1e-5)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["input_ids"])
