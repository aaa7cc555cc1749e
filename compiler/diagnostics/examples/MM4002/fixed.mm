block Probe(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, width]) -> [B, width] {
    return x @ w
  }
}
