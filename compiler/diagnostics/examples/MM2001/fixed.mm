block Probe(width: Int = 64) {
  param weight: [width, width] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return linear(x, weight)
  }
}
