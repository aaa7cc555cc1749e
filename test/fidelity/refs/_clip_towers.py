"""CLIP's towers, shared by the references of the families built on CLIP (clip, clip_rn50,
dac, maple, promptsrc, cdul, textasimages). Not a family itself (the leading underscore).

Provenance:
- the ViT image tower and the text tower: huggingface/transformers v4.40,
  src/transformers/models/clip/modeling_clip.py (CLIPAttention, CLIPMLP, CLIPEncoderLayer,
  CLIPVisionEmbeddings, CLIPVisionTransformer, CLIPTextTransformer with the eos_token_id == 2
  pooler: the state at argmax(input_ids)), with its state-dict names;
- the ResNet image tower: openai/CLIP clip/model.py, commit d05afc4 (Bottleneck with the
  anti-aliasing average pool and the nn.Sequential shortcut "-1"/"0"/"1", AttentionPool2d,
  ModifiedResNet), with its state-dict names.
Written anew in plain torch.
"""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F


def quick_gelu(x):
    return x * torch.sigmoid(1.702 * x)


def quick_gelu_control(x):
    """The negative controls' activation: QuickGELU with 1.6 for 1.702."""
    return x * torch.sigmoid(1.6 * x)


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.v_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x, causal=False):
        b, t, w = x.shape
        d = w // self.heads
        split = lambda y: y.reshape(b, t, self.heads, d).transpose(1, 2)
        q, k, v = split(self.q_proj(x) * d ** -0.5), split(self.k_proj(x)), split(self.v_proj(x))
        s = q @ k.transpose(-1, -2)
        if causal:
            s = s.masked_fill(torch.ones(t, t, dtype=torch.bool).triu(1), float("-inf"))
        return self.out_proj((s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, w))


class MLP(nn.Module):
    def __init__(self, width, act, hidden=None):
        super().__init__()
        self.act = act
        hidden = hidden or 4 * width
        self.fc1, self.fc2 = nn.Linear(width, hidden), nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class EncoderLayer(nn.Module):
    """Pre-LN: x + attn(ln1(x)), then + mlp(ln2(x))."""

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
    """`layers.N`; `make_layer(i)` builds layer i (default: an EncoderLayer)."""

    def __init__(self, width, depth, heads, act, eps, make_layer=None):
        super().__init__()
        make = make_layer or (lambda i: EncoderLayer(width, heads, act, eps))
        self.layers = nn.ModuleList([make(i) for i in range(depth)])


class VisionEmbeddings(nn.Module):
    def __init__(self, image, patch, width):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.zeros(width))
        self.patch_embedding = nn.Conv2d(3, width, patch, stride=patch, bias=False)
        self.position_embedding = nn.Embedding((image // patch) ** 2 + 1, width)

    def forward(self, pixels):
        p = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(p.shape[0], 1, -1)
        return torch.cat([cls, p], 1) + self.position_embedding.weight


class VisionTransformer(nn.Module):
    """CLIPVisionTransformer: pre_layrnorm (HF's spelling), the encoder, post_layernorm of [CLS]."""

    def __init__(self, image, patch, width, depth, heads, act, eps, make_layer=None):
        super().__init__()
        self.embeddings = VisionEmbeddings(image, patch, width)
        self.pre_layrnorm = nn.LayerNorm(width, eps=eps)
        self.encoder = Encoder(width, depth, heads, act, eps, make_layer)
        self.post_layernorm = nn.LayerNorm(width, eps=eps)

    def forward(self, pixels):
        x = self.pre_layrnorm(self.embeddings(pixels))
        for layer in self.encoder.layers:
            x = layer(x)
        return self.post_layernorm(x[:, 0])


class TextEmbeddings(nn.Module):
    def __init__(self, vocab, context, width):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, width)
        self.position_embedding = nn.Embedding(context, width)


class TextTransformer(nn.Module):
    """CLIPTextTransformer: causal layers, final_layer_norm, pooled at argmax(ids) (EOT)."""

    def __init__(self, vocab, context, width, depth, heads, act, eps, make_layer=None):
        super().__init__()
        self.embeddings = TextEmbeddings(vocab, context, width)
        self.encoder = Encoder(width, depth, heads, act, eps, make_layer)
        self.final_layer_norm = nn.LayerNorm(width, eps=eps)

    def encode(self, embedded):
        """The normalised sequence from token embeddings (prompt learners replace some)."""
        x = embedded + self.embeddings.position_embedding.weight[: embedded.shape[1]]
        for layer in self.encoder.layers:
            x = layer(x, causal=True)
        return self.final_layer_norm(x)

    def forward(self, ids):
        return pooled(self.encode(self.embeddings.token_embedding(ids)), ids)


def pooled(seq, ids):
    """The state at each row's EOT token (its largest id)."""
    return seq[torch.arange(seq.shape[0]), ids.argmax(dim=-1)]


class Bottleneck(nn.Module):
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
        self.positional_embedding = nn.Parameter(torch.zeros(spacial_dim ** 2 + 1, embed_dim))
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
    """OpenAI CLIP's ModifiedResNet: a 3-conv stem, an average pool, 4 stages, attnpool."""

    def __init__(self, layers, output_dim, heads, image, width):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.conv2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.conv3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        inplanes = width
        for i, (n, stride) in enumerate(zip(layers, [1, 2, 2, 2])):
            planes = width * 2 ** i
            blocks = [Bottleneck(inplanes, planes, stride)] + [Bottleneck(planes * 4, planes) for _ in range(n - 1)]
            inplanes = planes * 4
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.attnpool = AttentionPool2d(image // 32, width * 32, heads, output_dim)

    def features(self, x):
        for conv, bn in [(self.conv1, self.bn1), (self.conv2, self.bn2), (self.conv3, self.bn3)]:
            x = F.relu(bn(conv(x)))
        x = F.avg_pool2d(x, 2)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))

    def forward(self, x):
        return self.attnpool(self.features(x))
