# The modality encoders of ImageBind (Girdhar et al., 2023), after the official
# facebookresearch/ImageBind code (`imagebind/models/imagebind_model.py`,
# `multimodal_preprocessors.py`, `transformer.py`, `helpers.py`). Every modality has a
# preprocessor (a patch stem or token embedding, a [CLS] token, learned positions), a trunk
# (`SimpleTransformer`: pre-LN blocks with PyTorch's nn.MultiheadAttention, optionally with
# learned `bias_k`/`bias_v`), and a head (LayerNorm, select [CLS] or the end-of-text token,
# bias-free Linear into the joint space).
#
# The names are the checkpoint's: the official nn.Sequential parts are `sequential`s here
# (`rgbt_stem.proj.1`, `modality_heads.M.0` / `.2`, `modality_heads.imu.3`,
# `modality_heads.text.proj.0` / `.1`), with param-free layers (PadIm2Video, SelectElement,
# Dropout) at the indices the official code has them; the text preprocessor's causal `mask`
# is a buffer, as in imagebind_huge.pth. `pre_transformer_layer` is a repeat of one LayerNorm,
# `.0`.

import { Linear, LayerNorm, Embedding, Dropout } from "std/nn/layers.mm"
import { MLP } from "std/nn/mlp.mm"
import { MultiheadAttention } from "std/nn/attention.mm"

# ---------------------------------------------------------------------------------------
# Preprocessors

## A bias-free 2-D convolution flattened to tokens (the audio, depth and thermal stems).
block ImageBindConv2d(in_channels: Int, out_channels: Int, kernel: Int, stride: Int = kernel) {
  param weight: [out_channels, in_channels, kernel, kernel] init kaiming_uniform
  forward(x: [B, in_channels, H, W]) -> [B, ((H - kernel) // stride + 1) * ((W - kernel) // stride + 1), out_channels] {
    return flatten(conv2d(x, weight, stride: stride), start: 2).T
  }
}

## The image/video stem: a bias-free Conv3d over (time, height, width) patches; an image is
## repeated into a clip of `frames` frames first (PadIm2Video).
block ImageBindConv3d(in_channels: Int, out_channels: Int, frames: Int, patch: Int) {
  param weight: [out_channels, in_channels, frames, patch, patch] init kaiming_uniform
  forward(x: [B, in_channels, frames, H, W]) -> [B, (H // patch) * (W // patch), out_channels] {
    return flatten(conv3d(x, weight, stride: [frames, patch, patch]), start: 2).T
  }
}

## PadIm2Video(repeat): the official code repeats an image into a clip of `frames` frames; the
## models here pass the clip already repeated, which it leaves as it is, as the official code does.
block PadIm2Video(frames: Int) {
  forward(x: [B, C, frames, H, W]) -> [B, C, frames, H, W] {
    return x
  }
}

## The image/video stem, PatchEmbedGeneric([PadIm2Video, Conv3d]) without a norm: `proj.1`.
block VideoPatchEmbed(width: Int, frames: Int, patch: Int) {
  proj = sequential(PadIm2Video(frames), ImageBindConv3d(3, width, frames, patch))
  forward(x: [B, 3, frames, H, W]) -> [B, (H // patch) * (W // patch), width] {
    return proj(x)
  }
}

## PatchEmbedGeneric: a projection (`proj`) and an optional LayerNorm (`norm_layer`).
block PatchEmbedGeneric(projection: Block, width: Int, norm: Bool = true) {
  proj = projection()
  norm_layer = LayerNorm(width) if norm
  forward(x: [B, ...]) -> [B, N, width] {
    let tokens = proj(x)
    return if norm then norm_layer(tokens) else tokens
  }
}

block SpatioTemporalPosEmbeddingHelper(tokens: Int, width: Int) {
  param pos_embed: [1, tokens, width] init normal(std: width ** -0.5)
}

## RGBDTPreprocessor (and its Audio and Thermal subclasses): stem tokens, a [CLS] token in
## front, learned positions. The stem is `rgbt_stem`, or `depth_stem` for depth.
block RGBDTPreprocessor(stem: Block, patches: Int, width: Int, depth: Bool = false) {
  rgbt_stem = stem() if !depth
  depth_stem = stem() if depth
  param cls_token: [1, 1, width] init normal(std: width ** -0.5)
  pos_embedding_helper = SpatioTemporalPosEmbeddingHelper(patches + 1, width)
  forward(x: [B, ...]) -> [B, patches + 1, width] {
    let tokens: [B, patches, width] = if depth then depth_stem(x) else rgbt_stem(x)
    return concat([expand(cls_token, [B, 1, width]), tokens], axis: 1) + pos_embedding_helper.pos_embed
  }
}

## CLIP's token embedding and learned positions; the trunk is causal. `mask` is the
## checkpoint's causal mask buffer (-inf above the diagonal); the trunk's `causal: true` is the
## same mask.
block TextPreprocessor(vocab: Int = 49_408, context: Int = 77, width: Int = 1024) {
  token_embedding = Embedding(vocab, width)
  param pos_embed: [1, context, width] init normal(std: 0.01)
  buffer mask: [context, context] init triu(value: -inf, k: 1)
  forward(text: [B, context] int64) -> [B, context, width] {
    return token_embedding(text) + pos_embed
  }
}

## IMU (6 channels x `length` samples): windows of `kernel` samples, all channels of a window
## flattened into one token (Linear, LayerNorm), a [CLS] token, learned positions.
block IMUPreprocessor(channels: Int = 6, length: Int = 2000, kernel: Int = 8, width: Int = 512)
  where length % kernel == 0 {
  let windows = length / kernel
  imu_stem = PatchEmbedGeneric(Linear(channels * kernel, width, bias: false), width)
  param cls_token: [1, 1, width] init normal(std: width ** -0.5)
  param pos_embed: [1, windows + 1, width] init normal(std: 0.01)
  forward(imu: [B, channels, length]) -> [B, windows + 1, width] {
    let patches = reshape(permute(reshape(imu, [B, channels, windows, kernel]), [0, 2, 1, 3]), [B, windows, channels * kernel])
    let tokens = imu_stem(patches)
    return concat([expand(cls_token, [B, 1, width]), tokens], axis: 1) + pos_embed
  }
}

# ---------------------------------------------------------------------------------------
# Trunks

## BlockWithMasking: pre-LN self-attention (nn.MultiheadAttention) and MLP.
block BlockWithMasking(width: Int, heads: Int, add_bias_kv: Bool = false, eps: Float = 1e-6) {
  attn = MultiheadAttention(width, heads, add_bias_kv: add_bias_kv)
  norm_1 = LayerNorm(width, eps: eps)
  mlp = MLP(width, 4 * width)
  norm_2 = LayerNorm(width, eps: eps)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    x = x + attn(norm_1(x), causal: causal)
    return x + mlp(norm_2(x))
  }
}

## SimpleTransformer: an optional LayerNorm before the blocks (vision only), then the blocks.
tower SimpleTransformer(width: Int, depth: Int, heads: Int, pre_ln: Bool = false,
                        add_bias_kv: Bool = false) {
  pre_transformer_layer = repeat 1 LayerNorm(width, eps: 1e-6) if pre_ln
  blocks = repeat depth BlockWithMasking(width, heads, add_bias_kv: add_bias_kv)
  forward(tokens: [B, T, width], causal: Bool = false) -> [B, T, width] {
    let x = if pre_ln then pre_transformer_layer(tokens) else tokens
    for block in blocks {
      x = block(x, causal: causal)
    }
    return x
  }
}

# ---------------------------------------------------------------------------------------
# Heads

# A modality head is the official nn.Sequential(LayerNorm, SelectElement(0), [Dropout,]
# Linear): written as a `sequential` of these where a model declares its heads.

## SelectElement: one token of [B, T, D] ([CLS]: index 0).
block SelectElement(index: Int = 0) {
  forward(x: [B, T, D]) -> [B, D] {
    return x[:, index]
  }
}

## SelectEOSAndProject: the token at the end-of-text position (the largest id), projected.
head ImageBindTextHead(width: Int, out: Int = 1024) {
  proj = sequential(LayerNorm(width, eps: 1e-6), Linear(width, out, bias: false))
  forward(x: [B, T, width], text: [B, T] int64) -> [B, out] {
    let at_eot = unsqueeze(one_hot(argmax(text, axis: -1), T), 1)
    return proj(squeeze(at_eot @ x, 1))
  }
}
