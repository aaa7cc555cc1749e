"""MBT, the Multimodal Bottleneck Transformer (Nagrani et al., NeurIPS 2021).

Provenance: google-research/scenic, commit 4a38d47 (main, Jul 2026):
scenic/projects/mbt/model.py (temporal_encode with embed_2d_patch / embed_3d_patch,
add_positional_embed, EncoderBlock, Encoder with use_bottleneck, MBT with classifier 'gap',
MBTMultilabelClassificationModel.loss_function), scenic/model_lib/layers/attention_layers.py
(MlpBlock), scenic/model_lib/base_models/model_utils.py (weighted_sigmoid_cross_entropy,
weighted_unnormalized_sigmoid_cross_entropy, apply_label_smoothing), and the MBT-B/16x2
AudioSet config scenic/projects/mbt/configs/audioset/balanced_audioset_base.py
(modality_fusion ('spectrogram', 'rgb'), use_bottleneck, n_bottlenecks 4, fusion_layer 8,
classifier 'gap', 3d_conv tubelets, label_smoothing 0.3). Flax semantics kept: nn.LayerNorm's
epsilon 1e-6 (every block norm and encoder_norm), nn.gelu = jax.nn.gelu with its default
approximate=True (the tanh form) in MlpBlock, MultiHeadDotProductAttention (per-head
query/key/value projections, query scaled by head_dim ** -0.5, output projection).

scenic is Flax, so there is no official PyTorch state dict. Names: scenic's for its own
modules (`embedding`, `embedding_spectrogram`, `posembed_input.pos_embedding`,
`posembed_input_spectrogram.pos_embedding`, `bottleneck`, `encoder_norm`,
`output_projection`); inside each encoder block the PyTorch (Hugging Face ViT) names that the
stdlib's header declares for scenic's LayerNorm_0 / MultiHeadDotProductAttention_1 /
LayerNorm_2 / MlpBlock_3 (layernorm_before, attention.attention.{query,key,value},
attention.output.dense, layernorm_after, intermediate.dense, output.dense); scenic's
Transformer/encoderblock_{i}(_spectrogram) is encoder.rgb.{i} / encoder.spectrogram.{i} and its
Transformer-level posembeds sit at the root, as stdlib/models/mbt.mm's header declares.
Kernels in PyTorch layout. Sizes: MBT_Tiny.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = ["MBT_Tiny"]
SOURCE = "google-research/scenic 4a38d47 (projects/mbt)"  # the official code followed, for stdlib/README.md

# MBT_Tiny: 4 frames of 32x32 (2x8x8 tubelets), a 64x32 spectrogram (8x8 patches), width 32,
# 2 layers, 2 heads, MLP 4x, fusion from layer 1, 4 bottleneck tokens, 10 classes.
TINY = dict(frames=4, image=32, tubelet=2, patch=8, spec_time=64, spec_mel=32, width=32, depth=2,
            heads=2, mlp=128, fusion_layer=1, bottlenecks=4, classes=10, label_smoothing=0.3)


def flax_gelu(x):
    """jax.nn.gelu(x) with its default approximate=True."""
    return F.gelu(x, approximate="tanh")


class SelfAttention(nn.Module):
    def __init__(self, width, heads, scale_mult):
        super().__init__()
        self.heads, self.scale_mult = heads, scale_mult
        self.query, self.key, self.value = nn.Linear(width, width), nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, x):
        b, t, w = x.shape
        d = w // self.heads
        split = lambda y: y.view(b, t, self.heads, d).transpose(1, 2)
        q = split(self.query(x)) * (d ** -0.5 * self.scale_mult)
        s = q @ split(self.key(x)).transpose(-1, -2)
        return (s.softmax(-1) @ split(self.value(x))).transpose(1, 2).reshape(b, t, w)


class Dense(nn.Module):
    def __init__(self, a, b):
        super().__init__()
        self.dense = nn.Linear(a, b)


class Attention(nn.Module):
    def __init__(self, width, heads, scale_mult):
        super().__init__()
        self.attention = SelfAttention(width, heads, scale_mult)
        self.output = Dense(width, width)


class EncoderBlock(nn.Module):
    """scenic's EncoderBlock: x + MHA(LN(x)); then + MlpBlock(LN(.)) (Dense, gelu, Dense)."""

    def __init__(self, width, heads, mlp, scale_mult):
        super().__init__()
        self.layernorm_before = nn.LayerNorm(width, eps=1e-6)
        self.attention = Attention(width, heads, scale_mult)
        self.layernorm_after = nn.LayerNorm(width, eps=1e-6)
        self.intermediate = Dense(width, mlp)
        self.output = Dense(mlp, width)

    def forward(self, inputs):
        x = self.attention.output.dense(self.attention.attention(self.layernorm_before(inputs))) + inputs
        y = self.output.dense(flax_gelu(self.intermediate.dense(self.layernorm_after(x))))
        return y + x


class Encoder(nn.Module):
    def __init__(self, s, scale_mult):
        super().__init__()
        blocks = lambda: nn.ModuleList([EncoderBlock(s["width"], s["heads"], s["mlp"], scale_mult) for _ in range(s["depth"])])
        self.rgb = blocks()
        self.spectrogram = blocks()
        self.bottleneck = nn.Parameter(torch.zeros(1, s["bottlenecks"], s["width"]))
        self.fusion_layer = s["fusion_layer"]

    def forward(self, x):
        """x: {'spectrogram': tokens, 'rgb': tokens}, position embeddings already added."""
        order = ("spectrogram", "rgb")  # config.model.modality_fusion
        bottleneck = self.bottleneck.expand(x["rgb"].shape[0], -1, -1)
        for lyr in range(len(self.rgb)):
            enc = {"rgb": self.rgb[lyr], "spectrogram": self.spectrogram[lyr]}
            if lyr < self.fusion_layer:
                x = {m: enc[m](x[m]) for m in order}
            else:
                bottle = []
                for m in order:
                    t = x[m].shape[1]
                    out = enc[m](torch.cat([x[m], bottleneck], 1))
                    x[m] = out[:, :t]
                    bottle.append(out[:, t:])
                bottleneck = torch.stack(bottle, -1).mean(-1)
        return torch.cat([x[m] for m in order], 1)


class PosEmbs(nn.Module):
    def __init__(self, tokens, width):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.zeros(1, tokens, width))


class MBT(nn.Module):
    def __init__(self, s, scale_mult=1.0):
        super().__init__()
        w, p, tb = s["width"], s["patch"], s["tubelet"]
        self.embedding = nn.Conv3d(3, w, (tb, p, p), stride=(tb, p, p))
        self.embedding_spectrogram = nn.Conv2d(3, w, p, stride=p)
        self.posembed_input = PosEmbs((s["frames"] // tb) * (s["image"] // p) ** 2, w)
        self.posembed_input_spectrogram = PosEmbs((s["spec_time"] // p) * (s["spec_mel"] // p), w)
        self.encoder = Encoder(s, scale_mult)
        self.encoder_norm = nn.LayerNorm(w, eps=1e-6)
        self.output_projection = nn.Linear(w, s["classes"])

    def forward(self, rgb, spectrogram):
        # rgb [B, 3, T, H, W] (scenic: [B, T, H, W, 3]); tokens in (t, h, w) order as scenic's reshape
        r = self.embedding(rgb).flatten(2).transpose(1, 2) + self.posembed_input.pos_embedding
        # spectrogram [B, 3, time, mel] (scenic: [B, time, mel, 3]); tokens in (time, mel) order
        s = self.embedding_spectrogram(spectrogram).flatten(2).transpose(1, 2) + self.posembed_input_spectrogram.pos_embedding
        x = self.encoder_norm(self.encoder({"spectrogram": s, "rgb": r}))
        return self.output_projection(x.mean(1))  # 'gap'; pre_logits is an identity


def sigmoid_ce_loss(logits, multi_hot, label_smoothing):
    """weighted_sigmoid_cross_entropy without weights: smoothed targets (on 1 - ls + ls / C,
    off ls / C), the elementwise sigmoid cross-entropy summed and divided by the batch size."""
    targets = multi_hot * (1.0 - label_smoothing) + label_smoothing / multi_hot.shape[-1]
    log_p, log_not_p = F.logsigmoid(logits), F.logsigmoid(-logits)
    loss = -(targets * log_p + (1.0 - targets) * log_not_p)
    return loss.sum() / (multi_hot.shape[0] + 1e-8)


def build(model, control):
    """The reference for `model`; control: attention logits scaled by 1.1 (must fail)."""
    m = MBT(TINY, scale_mult=1.1 if control else 1.0)

    def forward(mod, inp):
        logits = mod(inp["rgb"], inp["spectrogram"])
        return {"logits": logits, "loss_bce": sigmoid_ce_loss(logits, inp["labels"], TINY["label_smoothing"])}

    return m, forward
