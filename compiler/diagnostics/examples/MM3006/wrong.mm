block Encoder(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  inner = Encoder(width)
  forward(x: [B, width]) -> [B, width] {
    return inner(relu(linear(x, w)))
  }
}
