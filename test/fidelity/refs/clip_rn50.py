"""CLIP RN50: OpenAI's ModifiedResNet image tower with the CLIP text tower.

Provenance: openai/CLIP, clip/model.py (commit d05afc4: Bottleneck, AttentionPool2d,
ModifiedResNet, ResidualAttentionBlock, Transformer, CLIP.encode_text / CLIP.forward), written
anew in plain torch. The image tower keeps OpenAI's state-dict names (`visual.X` of the
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

MODELS = ["CLIP_RN50_Tiny"]


class Bottleneck(nn.Module):
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
            # OpenAI: Sequential("-1": AvgPool2d(stride), "0": Conv2d, "1": BatchNorm2d)
            self.downsample = nn.Sequential()
            self.downsample.add_module("-1", nn.AvgPool2d(stride) if stride > 1 else nn.Identity())
            self.downsample.add_module("0", nn.Conv2d(inplanes, planes * 4, 1, bias=False))
            self.downsample.add_module("1", nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        if self.stride > 1:
            y = F.avg_pool2d(y, self.stride)
        y = self.bn3(self.conv3(y))
        idt = self.downsample(x) if self.downsample is not None else x
        return F.relu(y + idt)


class AttentionPool2d(nn.Module):
    def __init__(self, spatial, dim, heads, out):
        super().__init__()
        self.positional_embedding = nn.Parameter(torch.zeros(spatial ** 2 + 1, dim))
        self.k_proj, self.q_proj, self.v_proj = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.c_proj = nn.Linear(dim, out)
        self.heads = heads

    def forward(self, x):
        b, c = x.shape[:2]
        x = x.flatten(2).transpose(1, 2)                      # [b, hw, c]
        x = torch.cat([x.mean(1, keepdim=True), x], 1) + self.positional_embedding
        d = c // self.heads
        q = self.q_proj(x[:, :1]).view(b, 1, self.heads, d).transpose(1, 2) * d ** -0.5
        k = self.k_proj(x).view(b, -1, self.heads, d).transpose(1, 2)
        v = self.v_proj(x).view(b, -1, self.heads, d).transpose(1, 2)
        o = ((q @ k.transpose(-1, -2)).softmax(-1) @ v).transpose(1, 2).reshape(b, c)
        return self.c_proj(o)


class ModifiedResNet(nn.Module):
    def __init__(self, layers, output_dim, heads, resolution, width):
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
        self.attnpool = AttentionPool2d(resolution // 32, width * 32, heads, output_dim)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        x = F.relu(self.bn3(self.conv3(x)))
        x = F.avg_pool2d(x, 2)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.attnpool(x)


class TextAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj = nn.Linear(width, width), nn.Linear(width, width)
        self.v_proj, self.out_proj = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x):
        b, t, w = x.shape
        d = w // self.heads
        sp = lambda y: y.view(b, t, self.heads, d).transpose(1, 2)
        s = sp(self.q_proj(x)) @ sp(self.k_proj(x)).transpose(-1, -2) / d ** 0.5
        s = s + torch.full((t, t), float("-inf")).triu(1)
        return self.out_proj((s.softmax(-1) @ sp(self.v_proj(x))).transpose(1, 2).reshape(b, t, w))


class TextMLP(nn.Module):
    def __init__(self, width, act):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(width, 4 * width), nn.Linear(4 * width, width), act

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TextLayer(nn.Module):
    def __init__(self, width, heads, act):
        super().__init__()
        self.self_attn = TextAttention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width)
        self.mlp = TextMLP(width, act)
        self.layer_norm2 = nn.LayerNorm(width)

    def forward(self, x):
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class TextTransformer(nn.Module):
    def __init__(self, vocab, context, width, depth, heads, act):
        super().__init__()
        self.embeddings = nn.Module()
        self.embeddings.token_embedding = nn.Embedding(vocab, width)
        self.embeddings.position_embedding = nn.Embedding(context, width)
        self.encoder = nn.Module()
        self.encoder.layers = nn.ModuleList([TextLayer(width, heads, act) for _ in range(depth)])
        self.final_layer_norm = nn.LayerNorm(width)

    def forward(self, ids):
        x = self.embeddings.token_embedding(ids) + self.embeddings.position_embedding.weight[: ids.shape[1]]
        for layer in self.encoder.layers:
            x = layer(x)
        x = self.final_layer_norm(x)
        return x[torch.arange(x.shape[0]), ids.argmax(-1)]


class CLIPRN50(nn.Module):
    def __init__(self, act):
        super().__init__()
        # CLIP_RN50_Tiny: layers [1,1,1,1], output_dim 64, heads 4, image 32, width 2
        self.vision_model = ModifiedResNet([1, 1, 1, 1], 64, 4, 32, 2)
        self.text_model = TextTransformer(1000, 16, 64, 2, 4, act)
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
    k = 1.6 if control else 1.702
    m = CLIPRN50(lambda x: x * torch.sigmoid(k * x))
    return m, lambda mod, inp: mod(inp["pixel_values"], inp["input_ids"])
