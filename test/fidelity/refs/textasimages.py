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
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["TextAsImages_Tiny"]


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

    def forward(self, embedded):
        """TextEncoder.forward from token embeddings: ln_final(transformer(x + positions))."""
        x = embedded + self.embeddings.position_embedding.weight[: embedded.shape[1]]
        for layer in self.encoder.layers:
            x = layer(x, causal=True)
        return self.final_layer_norm(x)


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
        x = self.text_model(prompts)
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
        seq = self.text_projection(self.text_model(self.text_model.embeddings.token_embedding(captions)))
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
    act = (lambda x: x * torch.sigmoid(1.6 * x)) if control else quick_gelu
    m = TaIDPT(act)
    if control:
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.eps = 1e-3
    return m, lambda mod, inp: mod(inp["caption_ids"], inp["caption_labels"], inp["pixel_values"],
                                   inp["prompt_ids"])
