# A misspelt block name in a submodule: the compiler suggests the declared block.
# expect: MM2001 at 14:10

block LayerNorm(width: Int) {
  param weight: [width] init ones
  param bias: [width] init zeros
  forward(x: [..., width]) -> [..., width] {
    return layer_norm(x, weight, bias)
  }
}

tower AudioEncoder(mels: Int = 80, width: Int = 64) {
  param proj: [width, mels] init xavier_uniform
  norm = LayerNrom(width)
  forward(spec: [B, T, mels]) -> [B, T, width] {
    return norm(linear(spec, proj))
  }
}
