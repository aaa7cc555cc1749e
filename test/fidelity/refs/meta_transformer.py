"""Meta-Transformer (Zhang et al., 2023): a frozen shared ViT encoder behind per-modality
tokenizers (Data2Seq) and task heads.

Provenance: invictus717/MetaTransformer, commit b08a2be (Dec 2023):
- the shared encoder: README.md ("Demo of Use for Pretrained Encoder") and
  Time-Series/models/MetaTransformer.py, Audio/src/models/ast_models.py: an nn.Sequential of
  timm `vision_transformer.Block(dim, heads, mlp_ratio=4, qkv_bias=True,
  norm_layer=nn.LayerNorm, act_layer=nn.GELU)` loaded strictly from
  Meta-Transformer_{base_patch16,large_patch14}_encoder.pth (names N.norm1, N.attn.qkv,
  N.attn.proj, N.norm2, N.mlp.fc1, N.mlp.fc2; nn.LayerNorm's eps 1e-5; exact GELU);
- tokenizers: Data2Seq/Data2Seq.py with Data2Seq/Image.py (PatchEmbed: `embed.proj` Conv2d),
  Data2Seq/Acoustic.py (`embed.proj` Conv2d 16x16, stride 10), Data2Seq/Video.py (`embed.proj`
  Conv3d; the official one passes a 2-D kernel to Conv3d and cannot run, so the two-frame
  tubelet of the official Video/ fine-tuning code, Video/models/modeling_finetune.py
  PatchEmbed(tubelet_size=2), is used) and Data2Seq/Time_Series.py (DataEmbedding: a circular,
  bias-free Conv1d `value_embedding.tokenConv`, plus PositionalEmbedding's persistent buffer
  `position_embedding.pe` [1, 5000, d], plus TemporalEmbedding's fixed nn.Parameters
  `temporal_embedding.{hour,weekday,day,month}_embed.emb.weight`, unused without x_mark but
  in the state dict);
- [CLS] and positions: timm ViT's cls_token / pos_embed for image and audio (AST); video
  positions are VideoMAE's fixed sinusoid table (modeling_finetune.py
  get_sinusoid_encoding_table, use_learnable_pos_emb=False, a plain tensor, not in the
  state dict) and its head is fc_norm (LayerNorm eps 1e-6) of the token mean, then a
  linear head (use_mean_pooling=True, run_class_finetuning.py);
- point clouds: Point-MAE's Encoder (Pang-Yatian/Point-MAE models/Point_MAE.py:
  first_conv = Sequential(Conv1d, BatchNorm1d, ReLU, Conv1d), second_conv likewise, the
  max-pooled global feature concatenated before second_conv) and its pos_embed
  Sequential(Linear(3, 128), GELU, Linear(128, d)), cls_token / cls_pos; the ModelNet40 loss
  is OpenPoints' SmoothCrossEntropy(label_smoothing=0.2) (PointCloud/openpoints/loss/build.py,
  PointCloud/cfgs/modelnet40ply2048/metatransformer.yaml): on-value 1 - e, off-value
  e / (C - 1);
- text: CLIP's token_embedding + positional_embedding (the official Data2Seq text path feeds
  CLIPTokenizer ids or CLIP text features, no trainable tokenizer of its own).
The heads that the official code leaves to each downstream codebase (image: timm ViT's norm
(eps 1e-6) + head on [CLS]; audio, point, text, forecasting: a LayerNorm and a linear layer)
are kept as one LayerNorm and one Linear. Sizes: stdlib/models/meta_transformer.mm's
MetaTransformer_B16_Tiny and MetaTransformer_L14_Tiny.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["MetaTransformer_B16_Tiny", "MetaTransformer_L14_Tiny"]
SOURCE = "invictus717/MetaTransformer b08a2be"  # the official code followed, for stdlib/README.md

# Shared tiny sizes; width / depth / heads per model.
TINY = dict(patch=8, image=32, frames=4, tubelet=2, mel=26, audio_len=36, groups=8, group_size=8,
            vocab=1000, context=16, series=16, horizon=8, image_classes=10, audio_classes=12,
            video_classes=10, point_classes=10, text_classes=2,
            pn_hidden=32, pn_mid=32, pn_wide=64, pos_hidden=32)
WIDTHS = {"MetaTransformer_B16_Tiny": (64, 2, 4), "MetaTransformer_L14_Tiny": (48, 2, 4)}


# ---- timm vision_transformer.Block ------------------------------------------------------
class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=True)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        a = (q * (c // self.heads) ** -0.5) @ k.transpose(-2, -1)
        return self.proj((a.softmax(-1) @ v).transpose(1, 2).reshape(b, n, c))


class Mlp(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), act, nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, act):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = Mlp(dim, 4 * dim, act)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


# ---- Data2Seq tokenizers -----------------------------------------------------------------
class ConvPatchEmbed(nn.Module):
    """Image.PatchEmbed / Acoustic.PatchEmbed / Video.PatchEmbed: proj, flatten(2), transpose."""

    def __init__(self, conv):
        super().__init__()
        self.proj = conv

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ClsPosTokenizer(nn.Module):
    """timm ViT / AST: [CLS] first, then learned positions added to every token."""

    def __init__(self, conv, tokens, dim):
        super().__init__()
        self.embed = ConvPatchEmbed(conv)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens + 1, dim))

    def forward(self, x):
        t = self.embed(x)
        return torch.cat([self.cls_token.expand(t.shape[0], -1, -1), t], 1) + self.pos_embed


def sinusoid_table(n, d):
    """VideoMAE's get_sinusoid_encoding_table (pos / 10000^(2 (j // 2) / d); sin even, cos odd)."""
    pos = torch.arange(n, dtype=torch.float64)[:, None]
    j = torch.arange(d, dtype=torch.float64)[None, :]
    angle = pos / torch.pow(torch.tensor(10000.0, dtype=torch.float64), 2 * torch.div(j, 2, rounding_mode="floor") / d)
    table = angle.clone()
    table[:, 0::2], table[:, 1::2] = torch.sin(angle[:, 0::2]), torch.cos(angle[:, 1::2])
    return table.float()[None]


class VideoTokenizer(nn.Module):
    def __init__(self, tubelet, patch, tokens, dim):
        super().__init__()
        self.embed = ConvPatchEmbed(nn.Conv3d(3, dim, (tubelet, patch, patch), stride=(tubelet, patch, patch)))
        self.pos_table = sinusoid_table(tokens, dim)  # a plain attribute, as in VideoMAE

    def forward(self, x):
        return self.embed(x) + self.pos_table


class TokenEmbedding(nn.Module):
    def __init__(self, c_in, d):
        super().__init__()
        self.tokenConv = nn.Conv1d(c_in, d, 3, padding=1, padding_mode="circular", bias=False)

    def forward(self, x):
        return self.tokenConv(x.permute(0, 2, 1)).transpose(1, 2)


class PositionalEmbedding(nn.Module):
    def __init__(self, d, max_len=5000):
        super().__init__()
        pe = torch.zeros(max_len, d)
        position = torch.arange(0, max_len).float().unsqueeze(1)
        div = (torch.arange(0, d, 2).float() * -(math.log(10000.0) / d)).exp()
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div)
        self.register_buffer("pe", pe.unsqueeze(0))

    def forward(self, x):
        return self.pe[:, : x.size(1)]


class FixedEmbedding(nn.Module):
    def __init__(self, c_in, d):
        super().__init__()
        w = torch.zeros(c_in, d)
        position = torch.arange(0, c_in).float().unsqueeze(1)
        div = (torch.arange(0, d, 2).float() * -(math.log(10000.0) / d)).exp()
        w[:, 0::2], w[:, 1::2] = torch.sin(position * div), torch.cos(position * div)
        self.emb = nn.Embedding(c_in, d)
        self.emb.weight = nn.Parameter(w, requires_grad=False)


class TemporalEmbedding(nn.Module):
    """embed_type 'fixed', freq 'h': hour, weekday, day, month (unused without x_mark)."""

    def __init__(self, d):
        super().__init__()
        self.hour_embed, self.weekday_embed = FixedEmbedding(24, d), FixedEmbedding(7, d)
        self.day_embed, self.month_embed = FixedEmbedding(32, d), FixedEmbedding(13, d)


class DataEmbedding(nn.Module):
    def __init__(self, c_in, d):
        super().__init__()
        self.value_embedding = TokenEmbedding(c_in, d)
        self.position_embedding = PositionalEmbedding(d)
        self.temporal_embedding = TemporalEmbedding(d)

    def forward(self, x):  # x_mark is None
        return self.value_embedding(x) + self.position_embedding(x)


class TimeSeriesTokenizer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.embed = DataEmbedding(1, d)

    def forward(self, x):
        return self.embed(x)


class PointMAEEncoder(nn.Module):
    def __init__(self, d, hidden, mid, wide):
        super().__init__()
        self.mid = mid
        self.first_conv = nn.Sequential(nn.Conv1d(3, hidden, 1), nn.BatchNorm1d(hidden), nn.ReLU(inplace=True),
                                        nn.Conv1d(hidden, mid, 1))
        self.second_conv = nn.Sequential(nn.Conv1d(2 * mid, wide, 1), nn.BatchNorm1d(wide), nn.ReLU(inplace=True),
                                         nn.Conv1d(wide, d, 1))

    def forward(self, groups):  # B, G, N, 3
        bs, g, n, _ = groups.shape
        f = self.first_conv(groups.reshape(bs * g, n, 3).transpose(2, 1))
        fg = torch.max(f, dim=2, keepdim=True)[0]
        f = self.second_conv(torch.cat([fg.expand(-1, -1, n), f], dim=1))
        return torch.max(f, dim=2)[0].reshape(bs, g, -1)


class PointTokenizer(nn.Module):
    def __init__(self, d, s):
        super().__init__()
        self.embed = PointMAEEncoder(d, s["pn_hidden"], s["pn_mid"], s["pn_wide"])
        self.pos_embed = nn.Sequential(nn.Linear(3, s["pos_hidden"]), nn.GELU(), nn.Linear(s["pos_hidden"], d))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        self.cls_pos = nn.Parameter(torch.zeros(1, 1, d))

    def forward(self, neighborhood, center):
        tokens = self.embed(neighborhood)
        b = tokens.shape[0]
        x = torch.cat([self.cls_token.expand(b, -1, -1), tokens], 1)
        pos = torch.cat([self.cls_pos.expand(b, -1, -1), self.pos_embed(center)], 1)
        return x + pos


class TextTokenizer(nn.Module):
    def __init__(self, d, vocab, context):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, d)
        self.positional_embedding = nn.Parameter(torch.zeros(context, d))

    def forward(self, ids):
        return self.token_embedding(ids) + self.positional_embedding


# ---- heads ---------------------------------------------------------------------------------
class Head(nn.Module):
    def __init__(self, d, out, pool, eps=1e-5):
        super().__init__()
        self.pool = pool
        self.norm = nn.LayerNorm(d, eps=eps)
        self.head = nn.Linear(d, out)

    def forward(self, x):
        if self.pool == "cls":
            return self.head(self.norm(x[:, 0]))
        if self.pool == "mean":
            return self.head(self.norm(x.mean(1)))
        return self.head(self.norm(x).flatten(1))  # all tokens (forecasting)


class MetaTransformer(nn.Module):
    def __init__(self, width, depth, heads, s, act):
        super().__init__()
        p, img = s["patch"], s["image"]
        audio_patches = ((s["mel"] - 16) // 10 + 1) * ((s["audio_len"] - 16) // 10 + 1)
        self.image_tokenizer = ClsPosTokenizer(nn.Conv2d(3, width, p, stride=p), (img // p) ** 2, width)
        self.video_tokenizer = VideoTokenizer(s["tubelet"], p, (s["frames"] // s["tubelet"]) * (img // p) ** 2, width)
        self.audio_tokenizer = ClsPosTokenizer(nn.Conv2d(1, width, 16, stride=(10, 10)), audio_patches, width)
        self.time_series_tokenizer = TimeSeriesTokenizer(width)
        self.point_tokenizer = PointTokenizer(width, s)
        self.text_tokenizer = TextTokenizer(width, s["vocab"], s["context"])
        self.encoder = nn.Sequential(*[Block(width, heads, act) for _ in range(depth)])
        self.image_head = Head(width, s["image_classes"], "cls", eps=1e-6)   # timm ViT norm + head
        self.video_head = Head(width, s["video_classes"], "mean", eps=1e-6)  # VideoMAE fc_norm + head
        self.audio_head = Head(width, s["audio_classes"], "cls")
        self.time_series_head = Head(width * s["series"], s["horizon"], "flat")
        self.time_series_head.norm = nn.LayerNorm(width)
        self.point_head = Head(width, s["point_classes"], "cls")
        self.text_head = Head(width, s["text_classes"], "mean")


def smooth_cross_entropy(pred, gt, eps):
    """OpenPoints SmoothCrossEntropy: on-value 1 - eps, off-value eps / (C - 1)."""
    n_class = pred.size(1)
    one_hot = torch.zeros_like(pred).scatter(1, gt.view(-1, 1), 1)
    one_hot = one_hot * (1 - eps) + (1 - one_hot) * eps / (n_class - 1)
    return -(one_hot * F.log_softmax(pred, dim=1)).sum(dim=1).mean()


def build(model, control):
    """The reference for `model`; control: the encoder's exact GELU becomes QuickGELU, x * sigmoid(1.702 x) (must fail)."""
    act = (lambda x: x * torch.sigmoid(1.702 * x)) if control else nn.GELU()
    m = MetaTransformer(*WIDTHS[model], TINY, act)

    def forward(mod, inp):
        enc = mod.encoder
        out = {
            "image_logits": mod.image_head(enc(mod.image_tokenizer(inp["image_pixels"]))),
            "video_logits": mod.video_head(enc(mod.video_tokenizer(inp["video"]))),
            "audio_logits": mod.audio_head(enc(mod.audio_tokenizer(inp["audio_fbank"]))),
            "forecast": mod.time_series_head(enc(mod.time_series_tokenizer(inp["series_values"]))),
            "point_logits": mod.point_head(enc(mod.point_tokenizer(inp["point_neighborhood"], inp["point_center"]))),
            "text_logits": mod.text_head(enc(mod.text_tokenizer(inp["text_ids"]))),
        }
        out["loss_image_cls"] = F.cross_entropy(out["image_logits"], inp["image_labels"])
        out["loss_video_cls"] = F.cross_entropy(out["video_logits"], inp["video_labels"])
        out["loss_audio_cls"] = F.binary_cross_entropy_with_logits(out["audio_logits"], inp["audio_labels"])
        out["loss_forecasting"] = F.mse_loss(out["forecast"], inp["series_future"])
        out["loss_point_cls"] = smooth_cross_entropy(out["point_logits"], inp["point_labels"], 0.2)
        out["loss_text_cls"] = F.cross_entropy(out["text_logits"], inp["text_labels"])
        return out

    return m, forward
