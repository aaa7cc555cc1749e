"""ImageBind (Girdhar et al., 2023), the official ImageBindModel with its six modalities.

Provenance: facebookresearch/ImageBind, commit 53680b0 (main, Nov 2025):
imagebind/models/imagebind_model.py (ImageBindModel: _create_modality_preprocessors,
_create_modality_trunks, _create_modality_heads, _create_modality_postprocessors, forward;
imagebind_huge), imagebind/models/multimodal_preprocessors.py (PatchEmbedGeneric,
PadIm2Video, SpatioTemporalPosEmbeddingHelper, RGBDTPreprocessor, AudioPreprocessor,
ThermalPreprocessor, TextPreprocessor, IMUPreprocessor, build_causal_attention_mask),
imagebind/models/transformer.py (SimpleTransformer, BlockWithMasking, Mlp,
MultiheadAttention = torch.nn.MultiheadAttention, LayerNorm eps 1e-6) and
imagebind/models/helpers.py (Normalize, LearnableLogitScaling, SelectElement,
SelectEOSAndProject). Written anew in plain torch with the checkpoint's state-dict names,
buffers included (the text causal mask `modality_preprocessors.text.mask` and the fixed
logit scales `modality_postprocessors.{audio,depth,thermal,imu}.1.log_logit_scale` are
persistent buffers of the official module, so they are in imagebind_huge.pth).

Covers the whole forward for one clip per example (no clip averaging): vision (an image
repeated into a two-frame clip), text (causal, EOS = argmax of the ids), audio, depth,
thermal, IMU embeddings after their postprocessors; `vision_x_text` = vision @ text.T;
and the InfoNCE of each bound modality against vision, as in the paper's training
(symmetric cross-entropy of vision @ other.T). Sizes are stdlib/models/imagebind.mm's
ImageBind_Huge_Tiny. Drop path and dropout are identities in eval.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["ImageBind_Huge_Tiny"]
SOURCE = "facebookresearch/ImageBind 53680b0"  # the official code followed, for stdlib/README.md

# ImageBind_Huge_Tiny: out 32, image 32 (vision patch 8, depth/thermal kernel 8), vocab 1000,
# context 16, audio 32 mel bins x 36 frames (kernel 16, stride 10), IMU 6 x 64 (kernel 8).
TINY = dict(out=32, image=32, patch=8, vocab=1000, context=16, mel=32, audio_len=36,
            audio_kernel=16, audio_stride=10, depth_kernel=8, thermal_kernel=8, imu_len=64,
            imu_kernel=8,
            vision=(64, 2, 4), text=(48, 2, 4), audio=(32, 2, 4), depth=(16, 2, 2),
            thermal=(32, 2, 4), imu=(32, 1, 4))


class Mlp(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(dim, hidden), nn.Linear(hidden, dim), act

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """BlockWithMasking: pre-norm residual attention and MLP, LayerNorm eps 1e-6."""

    def __init__(self, dim, heads, add_bias_kv, act):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads, bias=True, add_bias_kv=add_bias_kv)
        self.norm_1 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, 4 * dim, act)
        self.norm_2 = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, x, mask):  # x: L x B x D
        h = self.norm_1(x)
        x = x + self.attn(h, h, h, need_weights=False, attn_mask=mask)[0]
        return x + self.mlp(self.norm_2(x))


class SimpleTransformer(nn.Module):
    def __init__(self, dim, depth, heads, pre_ln, add_bias_kv, act):
        super().__init__()
        # pre_transformer_layer = Sequential(LayerNorm(eps 1e-6) or Identity, "b l d -> l b d")
        self.pre_transformer_layer = nn.Sequential(nn.LayerNorm(dim, eps=1e-6) if pre_ln else nn.Identity())
        self.blocks = nn.Sequential(*[Block(dim, heads, add_bias_kv, act) for _ in range(depth)])

    def forward(self, tokens, attn_mask=None):
        x = self.pre_transformer_layer(tokens).transpose(0, 1)
        for blk in self.blocks:
            x = blk(x, attn_mask)
        return x.transpose(0, 1)


class PadIm2Video(nn.Module):
    """An image becomes a clip of `ntimes` repeated frames (pad_type "repeat")."""

    def __init__(self, ntimes):
        super().__init__()
        self.ntimes = ntimes

    def forward(self, x):
        if x.ndim == 4:
            x = x.unsqueeze(2)
        if x.shape[2] == 1:
            x = x.repeat(1, 1, self.ntimes, 1, 1)
        return x


class PatchEmbedGeneric(nn.Module):
    def __init__(self, proj_stem, norm_layer=None):
        super().__init__()
        # a single-module stem is stored bare (the official special case), else a Sequential
        self.proj = nn.Sequential(*proj_stem) if len(proj_stem) > 1 else proj_stem[0]
        self.norm_layer = norm_layer

    def forward(self, x):
        x = self.proj(x).flatten(2).transpose(1, 2)
        return self.norm_layer(x) if self.norm_layer is not None else x


class PosEmbeddingHelper(nn.Module):
    """SpatioTemporalPosEmbeddingHelper(learnable=True); no interpolation at these sizes."""

    def __init__(self, tokens, dim):
        super().__init__()
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, dim))


class RGBDTPreprocessor(nn.Module):
    def __init__(self, rgbt_stem, depth_stem, num_patches, dim):
        super().__init__()
        self.rgbt_stem = rgbt_stem
        self.depth_stem = depth_stem
        self.pos_embedding_helper = PosEmbeddingHelper(num_patches + 1, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))

    def tokenize(self, x, stem):
        tokens = stem(x)
        tokens = torch.cat([self.cls_token.expand(tokens.shape[0], -1, -1), tokens], 1)
        return tokens + self.pos_embedding_helper.pos_embed

    def forward(self, vision=None, depth=None):
        if vision is not None:
            return self.tokenize(vision, self.rgbt_stem)
        return self.tokenize(depth, self.depth_stem)


class TextPreprocessor(nn.Module):
    def __init__(self, vocab, context, dim):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, context, dim))
        mask = torch.empty(context, context).fill_(float("-inf")).triu_(1)
        self.register_buffer("mask", mask)

    def forward(self, text):
        return self.token_embedding(text) + self.pos_embed, self.mask, text.argmax(dim=-1)


class IMUPreprocessor(nn.Module):
    def __init__(self, kernel, stem, dim, length):
        super().__init__()
        self.kernel = kernel
        self.imu_stem = stem
        self.pos_embed = nn.Parameter(torch.zeros(1, length // kernel + 1, dim))
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))

    def forward(self, imu):
        x = imu.unfold(-1, self.kernel, self.kernel).permute(0, 2, 1, 3)  # B, L/k, C, k
        x = x.reshape(x.shape[0], x.shape[1], -1)
        tokens = self.imu_stem.norm_layer(self.imu_stem.proj(x))
        tokens = torch.cat([self.cls_token.expand(tokens.shape[0], -1, -1), tokens], 1)
        return tokens + self.pos_embed


class SelectElement(nn.Module):
    def __init__(self, index):
        super().__init__()
        self.index = index

    def forward(self, x):
        return x[:, self.index, ...]


class SelectEOSAndProject(nn.Module):
    def __init__(self, proj):
        super().__init__()
        self.proj = proj

    def forward(self, x, seq_len):
        return self.proj(x[torch.arange(x.shape[0]), seq_len])


class Normalize(nn.Module):
    def forward(self, x):
        return F.normalize(x, dim=-1, p=2)


class LearnableLogitScaling(nn.Module):
    def __init__(self, init=1 / 0.07, learnable=True, max_scale=100.0):
        super().__init__()
        self.max_scale = max_scale
        v = torch.ones([]) * math.log(init)
        if learnable:
            self.log_logit_scale = nn.Parameter(v)
        else:
            self.register_buffer("log_logit_scale", v)

    def forward(self, x):
        return torch.clip(self.log_logit_scale.exp(), max=self.max_scale) * x


class ImageBindModel(nn.Module):
    def __init__(self, s, act):
        super().__init__()
        vw, aw, dw, tw, thw, iw = (s[k][0] for k in ("vision", "audio", "depth", "text", "thermal", "imu"))
        p, img = s["patch"], s["image"]
        ak, ast = s["audio_kernel"], s["audio_stride"]
        audio_patches = ((s["mel"] - ak) // ast + 1) * ((s["audio_len"] - ak) // ast + 1)
        self.modality_preprocessors = nn.ModuleDict({
            "vision": RGBDTPreprocessor(PatchEmbedGeneric([PadIm2Video(2), nn.Conv3d(3, vw, (2, p, p), stride=(2, p, p), bias=False)]),
                                        None, (img // p) ** 2, vw),
            "text": TextPreprocessor(s["vocab"], s["context"], tw),
            "audio": RGBDTPreprocessor(PatchEmbedGeneric([nn.Conv2d(1, aw, ak, stride=ast, bias=False)], nn.LayerNorm(aw)),
                                       None, audio_patches, aw),
            "depth": RGBDTPreprocessor(None, PatchEmbedGeneric([nn.Conv2d(1, dw, s["depth_kernel"], stride=s["depth_kernel"], bias=False)],
                                                               nn.LayerNorm(dw)),
                                       (img // s["depth_kernel"]) ** 2, dw),
            "thermal": RGBDTPreprocessor(PatchEmbedGeneric([nn.Conv2d(1, thw, s["thermal_kernel"], stride=s["thermal_kernel"], bias=False)],
                                                           nn.LayerNorm(thw)),
                                         None, (img // s["thermal_kernel"]) ** 2, thw),
            "imu": IMUPreprocessor(s["imu_kernel"], PatchEmbedGeneric([nn.Linear(6 * s["imu_kernel"], iw, bias=False)], nn.LayerNorm(iw)),
                                   iw, s["imu_len"]),
        })
        self.modality_trunks = nn.ModuleDict({
            m: SimpleTransformer(*s[m], pre_ln=(m == "vision"), add_bias_kv=m not in ("vision", "text"), act=act)
            for m in ("vision", "text", "audio", "depth", "thermal", "imu")
        })
        out = s["out"]

        def head(w, imu=False):
            mods = [nn.LayerNorm(w, eps=1e-6), SelectElement(0)]
            if imu:
                mods.append(nn.Dropout(p=0.0))  # official p=0.5; an identity in eval, 0 here for train-mode runs
            return nn.Sequential(*mods, nn.Linear(w, out, bias=False))

        self.modality_heads = nn.ModuleDict({
            "vision": head(vw),
            "text": SelectEOSAndProject(nn.Sequential(nn.LayerNorm(tw, eps=1e-6), nn.Linear(tw, out, bias=False))),
            "audio": head(aw), "depth": head(dw), "thermal": head(thw), "imu": head(iw, imu=True),
        })
        self.modality_postprocessors = nn.ModuleDict({
            "vision": Normalize(),
            "text": nn.Sequential(Normalize(), LearnableLogitScaling(learnable=True)),
            "audio": nn.Sequential(Normalize(), LearnableLogitScaling(20.0, learnable=False)),
            "depth": nn.Sequential(Normalize(), LearnableLogitScaling(5.0, learnable=False)),
            "thermal": nn.Sequential(Normalize(), LearnableLogitScaling(10.0, learnable=False)),
            "imu": nn.Sequential(Normalize(), LearnableLogitScaling(5.0, learnable=False)),
        })

    def embed(self, modality, value):
        pre = self.modality_preprocessors[modality]
        if modality == "text":
            tokens, mask, seq_len = pre(value)
            x = self.modality_trunks["text"](tokens, mask)
            x = self.modality_heads["text"](x, seq_len)
        else:
            tokens = pre(depth=value) if modality == "depth" else pre(value)
            x = self.modality_heads[modality](self.modality_trunks[modality](tokens))
        return self.modality_postprocessors[modality](x)


def info_nce(image, other):
    logits = image @ other.t()
    target = torch.arange(len(image))
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target)) / 2


def build(model, control):
    """The reference for `model`; control: the trunks' exact GELU becomes QuickGELU, x * sigmoid(1.702 x) (must fail)."""
    act = (lambda x: x * torch.sigmoid(1.702 * x)) if control else nn.GELU()
    m = ImageBindModel(TINY, act)

    def forward(mod, inp):
        out = {f"{k}_embeds": mod.embed(k, inp[k]) for k in ("vision", "text", "audio", "depth", "thermal", "imu")}
        out["vision_x_text"] = out["vision_embeds"] @ out["text_embeds"].t()
        for k in ("audio", "depth", "thermal", "imu"):
            out[f"loss_{k}_nce"] = info_nce(out["vision_embeds"], out[f"{k}_embeds"])
        return out

    return m, forward
