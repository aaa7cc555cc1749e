block Probe(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return softmax(linear(x, w), axis: 2)
  }
}
