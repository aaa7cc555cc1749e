block Probe(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, T, width]) -> (tokens: [B, T, width], pooled: [B, width]) {
    tokens = linear(x, w)
    pooled = mean(linear(x, w), axes: [1])
  }
}
