"""CLIP RN50: OpenAI's ModifiedResNet image tower with the CLIP text tower.

Provenance: openai/CLIP, clip/model.py (commit d05afc4: the ModifiedResNet of _clip_towers.py,
CLIP.encode_text / CLIP.forward here), written anew in plain torch. The image tower keeps OpenAI's state-dict names (`visual.X` of the
checkpoint is `vision_model.X`, as stdlib/models/clip.mm's header says), including the
downsample branch's nn.Sequential names `downsample.0` (conv) / `downsample.1` (bn) and the
BatchNorm buffers. The text tower has Hugging Face's CLIPTextModel names (huggingface/
transformers v4.40 modeling_clip.py; the same computation as OpenAI's `transformer`:
pre-LN blocks, QuickGELU, causal mask, ln_final, the state at argmax(input_ids)); the text
projection is HF's bias-free `text_projection` Linear (OpenAI's `text_projection` matrix,
transposed). The loss is HF's clip_loss (symmetric cross-entropy over logits_per_text).
Sizes are CLIP_RN50_Tiny's (stdlib/models/clip.mm).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from _clip_towers import ModifiedResNet, TextTransformer, quick_gelu, quick_gelu_control

MODELS = ["CLIP_RN50_Tiny", "CLIP_RN50_Tiny@train"]
SOURCE = "openai/CLIP d05afc4 (clip/model.py)"  # the official code followed, for stdlib/README.md


class CLIPRN50(nn.Module):
    def __init__(self, act):
        super().__init__()
        # CLIP_RN50_Tiny: layers [1,1,1,1], output_dim 64, heads 4, image 32, width 2
        self.vision_model = ModifiedResNet([1, 1, 1, 1], 64, 4, 32, 2)
        self.text_model = TextTransformer(1000, 16, 64, 2, 4, act, 1e-5)
        self.text_projection = nn.Linear(64, 64, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(2.6592))

    def forward(self, pixel_values, input_ids):
        img = F.normalize(self.vision_model(pixel_values), dim=-1)
        txt = F.normalize(self.text_projection(self.text_model(input_ids)), dim=-1)
        lpt = self.logit_scale.exp() * txt @ img.t()
        tgt = torch.arange(len(img))
        loss = (F.cross_entropy(lpt, tgt) + F.cross_entropy(lpt.t(), tgt)) / 2
        return {"image_embeds": img, "text_embeds": txt, "logits_per_image": lpt.t(),
                "logits_per_text": lpt, "loss_itc": loss}


def build(model, control):
    """The reference for `model`; control: QuickGELU's 1.702 becomes 1.6 (must fail)."""
    m = CLIPRN50(quick_gelu_control if control else quick_gelu)
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["input_ids"])
