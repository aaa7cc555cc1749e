block Probe(width: Int = 64) {
  param w: [width, width] float16 init xavier_uniform
  forward(x: [B, T, width] float16) -> [B, T, width] float16 {
    return linear(x, w)
  }
}
