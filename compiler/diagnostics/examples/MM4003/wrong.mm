block Probe(width: Int = 64) {
  param w: [50, width] init xavier_uniform
  forward(x: [B, 50, 48]) -> [B, 50, width] {
    return x + w
  }
}
