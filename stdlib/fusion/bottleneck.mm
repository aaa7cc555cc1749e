# Attention bottlenecks (MBT: Nagrani et al., 2021, "Attention Bottlenecks for Multimodal
# Fusion"), after the official scenic code (scenic/projects/mbt/model.py, `Encoder`).
#
# Each modality keeps its own stack of transformer layers. Below `fusion_layer` the stacks run
# apart. From `fusion_layer` on, a few shared bottleneck tokens are appended to each modality's
# tokens before its layer; each modality's layer updates its own copy of the bottleneck, and the
# copies are averaged into the next layer's bottleneck. So cross-modal information passes only
# through the bottleneck tokens. (fusion_layer == depth: no fusion inside the encoder.)
#
# The layers are Hugging Face ViT layers (ViT-B/16 names: layernorm_before,
# attention.attention.query/key/value, attention.output.dense, layernorm_after,
# intermediate.dense, output.dense), since MBT initialises each modality from ViT-B/16.
# scenic's `Transformer/encoderblock_{i}` (RGB) and `encoderblock_{i}_spectrogram` are
# `rgb.{i}` and `spectrogram.{i}` here; its `bottleneck` is this block's `bottleneck`. scenic's
# MLP uses Flax's gelu, the tanh approximation, so the layers here do too.

import "std/nn/layers.mm"
import { ViTLayer } from "std/towers/vit.mm"

## Two per-modality layer stacks (RGB and spectrogram tokens) fused through `bottlenecks`
## shared tokens from layer `fusion_layer` on. Returns each modality's tokens (the bottleneck
## tokens are dropped, as in scenic).
fusion AttentionBottleneck(width: Int = 768, depth: Int = 12, heads: Int = 12, hidden: Int = 4 * width,
                           fusion_layer: Int = 8, bottlenecks: Int = 4, eps: Float = 1e-6)
  where fusion_layer >= 0, fusion_layer <= depth, width % heads == 0 {
  rgb = repeat depth ViTLayer(width, heads, hidden: hidden, eps: eps, approximate: "tanh")
  spectrogram = repeat depth ViTLayer(width, heads, hidden: hidden, eps: eps, approximate: "tanh")
  param bottleneck: [1, bottlenecks, width] init normal(std: 0.02)

  forward(rgb_tokens: [B, Tr, width], spectrogram_tokens: [B, Ts, width])
    -> (rgb_out: [B, Tr, width], spectrogram_out: [B, Ts, width]) {
    let a = rgb_tokens
    let s = spectrogram_tokens
    let z = expand(bottleneck, [B, bottlenecks, width])
    for layer, i in rgb {
      if i < fusion_layer {
        a = layer(a)
        s = spectrogram[i](s)
      } else {
        let ya = layer(concat([a, z], axis: 1))
        let ys = spectrogram[i](concat([s, z], axis: 1))
        a = ya[:, :Tr]
        s = ys[:, :Ts]
        z = (ya[:, Tr:] + ys[:, Ts:]) / 2.0
      }
    }
    rgb_out = a
    spectrogram_out = s
  }
}
