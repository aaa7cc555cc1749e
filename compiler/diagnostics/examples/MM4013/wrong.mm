block Probe(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(tokens: [B, 50, width]) -> [B, width] {
    return tokens[:, 50]
  }
}
