block Probe(width: Int = 64) {
  param w: [width, width] init normal(std: 0.02)
  forward(x: [B, T, width]) -> [B, T, width] {
    return linear(x, w)
  }
}
