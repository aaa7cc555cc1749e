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
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import Bottleneck

MODELS = ["CDUL_Tiny"]

# The reproduction's similarity temperature: softmax(sim / logit_scale) (clip_cache.py, data.py).
SIMILARITY = "divide_by_raw_logit_scale"


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


class CLIPBottleneck(nn.Module):
    """OpenAI CLIP's Bottleneck: avgpool after conv2 when strided; avgpool-conv-bn shortcut."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.stride = stride
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride > 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential(OrderedDict([
                ("-1", nn.AvgPool2d(stride)),
                ("0", nn.Conv2d(inplanes, planes * 4, 1, stride=1, bias=False)),
                ("1", nn.BatchNorm2d(planes * 4))]))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        if self.stride > 1:
            out = F.avg_pool2d(out, self.stride)
        out = self.bn3(self.conv3(out))
        identity = self.downsample(x) if self.downsample is not None else x
        return F.relu(out + identity)


class AttentionPool2d(nn.Module):
    def __init__(self, spacial_dim, embed_dim, num_heads, output_dim):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.randn(spacial_dim ** 2 + 1, embed_dim) / embed_dim ** 0.5)
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.c_proj = nn.Linear(embed_dim, output_dim)
        self.num_heads = num_heads

    def pool(self, x, with_positions=True):
        """[B, C, H, W] -> [B, output_dim]: the mean token's attention over [mean; pixels]."""
        tokens = x.flatten(2).permute(0, 2, 1)
        seq = torch.cat([tokens.mean(dim=1, keepdim=True), tokens], dim=1)
        if with_positions:
            seq = seq + self.positional_embedding.unsqueeze(0)
        b, t, c = seq.shape
        h = self.num_heads
        d = c // h
        q = self.q_proj(seq[:, :1]).reshape(b, 1, h, d).transpose(1, 2) * d ** -0.5
        k = self.k_proj(seq).reshape(b, t, h, d).transpose(1, 2)
        v = self.v_proj(seq).reshape(b, t, h, d).transpose(1, 2)
        o = (q @ k.transpose(-1, -2)).softmax(-1) @ v
        return self.c_proj(o.transpose(1, 2).reshape(b, 1, c))[:, 0]

    def forward(self, x):
        return self.pool(x, True)


class ModifiedResNet(nn.Module):
    """OpenAI CLIP's ModifiedResNet, its names (downsample.-1/0/1, attnpool.{q,k,v,c}_proj)."""

    def __init__(self, layers, output_dim, heads, image, width):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.conv2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.conv3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        self._inplanes = width
        self.layer1 = self._make_layer(width, layers[0])
        self.layer2 = self._make_layer(width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(width * 8, layers[3], stride=2)
        self.attnpool = AttentionPool2d(image // 32, width * 32, heads, output_dim)

    def _make_layer(self, planes, blocks, stride=1):
        mods = [CLIPBottleneck(self._inplanes, planes, stride)]
        self._inplanes = planes * 4
        mods += [CLIPBottleneck(self._inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*mods)

    def features(self, x):
        for conv, bn in [(self.conv1, self.bn1), (self.conv2, self.bn2), (self.conv3, self.bn3)]:
            x = F.relu(bn(conv(x)))
        x = F.avg_pool2d(x, 2)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x):
        return self.attnpool(self.features(x))


class EncoderLayer(nn.Module):
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
        self.layers = nn.ModuleList([EncoderLayer(width, heads, act, eps) for _ in range(depth)])


class TextEmbeddings(nn.Module):
    def __init__(self, vocab, context, width):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)


class TextTransformer(nn.Module):
    def __init__(self, vocab, context, width, depth, heads, act, eps):
        super().__init__()
        self.embeddings = TextEmbeddings(vocab, context, width)
        self.encoder = Encoder(width, depth, heads, act, eps)
        self.final_layer_norm = nn.LayerNorm(width, eps=eps)

    def forward(self, ids):
        x = self.embeddings.token_embedding(ids) + self.embeddings.position_embedding.weight[: ids.shape[1]]
        for layer in self.encoder.layers:
            x = layer(x, causal=True)
        x = self.final_layer_norm(x)
        return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)]


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
        sim = f @ text.t()
        if SIMILARITY == "divide_by_raw_logit_scale":
            return F.softmax(sim / self.logit_scale, dim=-1)
        return F.softmax(self.logit_scale.exp() * sim, dim=-1)

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
    act = (lambda x: x * torch.sigmoid(1.6 * x)) if control else quick_gelu
    m = CDUL(act)
    if control:
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.eps = 1e-3
    return m, lambda mod, inp: mod(inp["clip_pixel_values"], inp["snippets"], inp["prompt_ids"],
                                   inp["pixel_values"], inp["pseudo_labels"])
