# Basic layers, in PyTorch's parameter layout (Linear.weight is [out, in]).

enum Act { gelu, gelu_tanh, quick_gelu, relu, silu, tanh }

## A dense layer: y = x @ weight.T + bias.
block Linear(in_features: Int, out_features: Int, bias: Bool = true) {
  param weight: [out_features, in_features] init kaiming_uniform
  param bias: [out_features] init zeros if bias
  forward(x: [..., in_features]) -> [..., out_features] {
    return linear(x, weight, bias)
  }
}

block LayerNorm(width: Int, eps: Float = 1e-5) {
  param weight: [width] init ones
  param bias: [width] init zeros
  forward(x: [..., width]) -> [..., width] {
    return layer_norm(x, weight, bias, eps: eps)
  }
}

## Root-mean-square norm (LLaMA): a scale, no bias, no centring.
block RMSNorm(width: Int, eps: Float = 1e-6) {
  param weight: [width] init ones
  forward(x: [..., width]) -> [..., width] {
    return rms_norm(x, weight, eps: eps)
  }
}

block Embedding(count: Int, width: Int) {
  param weight: [count, width] init normal(std: 0.02)
  forward(ids: [...] int64) -> [..., width] {
    return embedding(ids, weight)
  }
}

## An elementwise activation chosen by name.
block Activation(kind: Act = Act.gelu) {
  forward(x: [...]) -> [...] {
    if kind == Act.gelu { return gelu(x) }
    if kind == Act.gelu_tanh { return gelu(x, approximate: "tanh") }
    if kind == Act.quick_gelu { return quick_gelu(x) }
    if kind == Act.relu { return relu(x) }
    if kind == Act.silu { return silu(x) }
    return tanh(x)
  }
}

## Dropout as a layer of a `sequential` (PyTorch's nn.Dropout, which has no parameters but
## takes an index): the identity at inference.
block Dropout(p: Float = 0.5) {
  forward(x: [...]) -> [...] {
    return dropout(x, p)
  }
}

## Patch embedding: a convolution with stride = kernel, flattened to tokens.
block PatchEmbed(channels: Int, width: Int, patch: Int, bias: Bool = true) {
  param weight: [width, channels, patch, patch] init kaiming_uniform
  param bias: [width] init zeros if bias
  forward(pixels: [B, channels, H, W]) -> [B, (H // patch) * (W // patch), width] {
    return flatten(conv2d(pixels, weight, bias, stride: patch), start: 2).T
  }
}
