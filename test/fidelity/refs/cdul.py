"""CDUL (Abdelfattah et al., ICCV 2023): CLIP-driven unsupervised multi-label classification.

Provenance: the authors released no code (stdlib/models/cdul.mm says the same); the code this
follows is the reproduction its header cites, cs-mshah/CDUL, commit cac809f (HEAD of main):
- src/data/data.py `CLIPCache`: class text features = normalised `encode_text("a photo of a
  {c}")`; `_image_encode`: normalised `encode_image`, similarity = img @ text.T, then
  `F.softmax(similarity / self.temperature)` where src/clip_cache.py sets `temperature =
  model.logit_scale.data.item()` (the raw logit_scale parameter, ln 100 for released CLIP, not
  its exp); `_compute_in_batches`: alpha = max over the tiles (from zeros), beta = min (from
  ones), gamma = (alpha >= thresh), aggregate = alpha * gamma + beta * (1 - gamma);
- src/data/voc.py `final_label`: 0.5 * (global + aggregate + final_lambda * |global - aggregate|)
  with final_lambda 0 (configs/config.yaml);
- src/train.py `train`: preds = F.softmax(model(imgs)), loss = torchmetrics KLDivergence()(preds,
  pseudo_labels), i.e. (torchmetrics functional/regression/kl_divergence.py, log_prob=False,
  reduction 'mean') mean over the batch of sum p * log(p / q), p = preds and q = pseudo_labels
  each renormalised to sum to 1: KL(classifier || pseudo-labels);
- the CLIP: openai/CLIP clip/model.py (ModifiedResNet, AttentionPool2d, text transformer); the
  classifier: torchvision's ResNet layout (v1.5, torchvision.models.resnet.Bottleneck used
  directly with the tiny expansion).
Hyperparameters that are the model's own in cdul.mm are taken from it (threshold 0.5; the
reproduction's config uses thresh 0, and trains a ResNet-101, which at one block per stage is
the same network as the ResNet-50 here).

Names: OpenAI's ModifiedResNet names under `vision_model` (including the nn.Sequential shortcut
`downsample.0` / `downsample.1` and BatchNorm buffers), Hugging Face's CLIPTextModel names for
the text tower (`text_model`, `text_projection`, `logit_scale`), torchvision's ResNet names under
`classifier` (`downsample.0` / `downsample.1`, BatchNorm buffers, `fc`).
Sizes: stdlib/models/cdul.mm's CDUL_Tiny (5 classes, embed 64, CLIP ResNet layers [1,1,1,1]
width 2 heads 4 at 32 px; text vocab 1000, context 16, width 64, 2 layers, 4 heads; classifier
layers [1,1,1,1], stem width 4, expansion 2, 32 px).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import Bottleneck

from _clip_towers import ModifiedResNet, TextTransformer, quick_gelu, quick_gelu_control

MODELS = ["CDUL_Tiny"]
SOURCE = "cs-mshah/CDUL cac809f (the reproduction the paper's page cites; no official code)"  # the official code followed, for stdlib/README.md


class SmallBottleneck(Bottleneck):
    expansion = 2


class Classifier(nn.Module):
    """torchvision's ResNet (conv1, bn1, relu, maxpool, layer1-4, avgpool, fc), tiny widths."""

    def __init__(self, layers, width, num_classes):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.inplanes = width
        self.layer1 = self._make_layer(width, layers[0])
        self.layer2 = self._make_layer(width * 2, layers[1], 2)
        self.layer3 = self._make_layer(width * 4, layers[2], 2)
        self.layer4 = self._make_layer(width * 8, layers[3], 2)
        self.fc = nn.Linear(width * 8 * SmallBottleneck.expansion, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        e = SmallBottleneck.expansion
        down = None
        if stride != 1 or self.inplanes != planes * e:
            down = nn.Sequential(nn.Conv2d(self.inplanes, planes * e, 1, stride=stride, bias=False),
                                 nn.BatchNorm2d(planes * e))
        mods = [SmallBottleneck(self.inplanes, planes, stride, down)]
        self.inplanes = planes * e
        mods += [SmallBottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*mods)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class CDUL(nn.Module):
    def __init__(self, act, eps=1e-5, classes=5, embed=64, threshold=0.5, final_lambda=0.0):
        super().__init__()
        self.threshold, self.final_lambda = threshold, final_lambda
        self.vision_model = ModifiedResNet([1, 1, 1, 1], embed, 4, 32, 2)
        self.text_model = TextTransformer(1000, 16, 64, 2, 4, act, eps)
        self.text_projection = nn.Linear(64, embed, bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        self.classifier = Classifier([1, 1, 1, 1], 4, classes)

    def similarity(self, images, text):
        f = self.vision_model(images)
        f = f / f.norm(dim=-1, keepdim=True)
        # The reproduction's temperature: the raw logit_scale, not its exp (clip_cache.py, data.py).
        return F.softmax(f @ text.t() / self.logit_scale, dim=-1)

    def forward(self, clip_pixel_values, snippets, prompt_ids, pixel_values, pseudo_labels):
        text = self.text_projection(self.text_model(prompt_ids))
        text = text / text.norm(dim=-1, keepdim=True)
        glob = self.similarity(clip_pixel_values, text)
        n, s = snippets.shape[:2]
        finals = []
        for i in range(n):  # per image, as CLIPCache does
            tiles = self.similarity(snippets[i], text)
            alpha = torch.max(torch.zeros(1, text.shape[0]), tiles.max(dim=0, keepdim=True).values)
            beta = torch.min(torch.ones(1, text.shape[0]), tiles.min(dim=0, keepdim=True).values)
            gamma = (alpha >= self.threshold).float()
            agg = (alpha * gamma + beta * (1 - gamma))[0]
            finals.append(0.5 * (glob[i] + agg + self.final_lambda * torch.abs(glob[i] - agg)))
        logits = self.classifier(pixel_values)
        p = F.softmax(logits, dim=-1)
        p = p / p.sum(dim=-1, keepdim=True)
        q = pseudo_labels / pseudo_labels.sum(dim=-1, keepdim=True)
        kl = torch.xlogy(p, p / q).sum(dim=-1).mean()
        return {"initial_pseudo_labels": torch.stack(finals), "logits": logits, "loss_kl": kl}


def build(model, control):
    """The reference for `model`; control: QuickGELU's 1.702 becomes 1.6 in the text tower and
    every BatchNorm's eps becomes 1e-3 (must fail)."""
    act = quick_gelu_control if control else quick_gelu
    m = CDUL(act)
    if control:
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.eps = 1e-3
    return m, lambda mod, inp: mod(inp["clip_pixel_values"], inp["snippets"], inp["prompt_ids"],
                                   inp["pixel_values"], inp["pseudo_labels"])
