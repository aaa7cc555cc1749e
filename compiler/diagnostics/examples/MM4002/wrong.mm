block Probe(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, 48]) -> [B, width] {
    return x @ w
  }
}
