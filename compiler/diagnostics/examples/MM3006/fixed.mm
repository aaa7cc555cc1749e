block Layer(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, width]) -> [B, width] {
    return relu(linear(x, w))
  }
}

block Encoder(width: Int = 64, depth: Int = 2) {
  layers = repeat depth Layer(width)
  forward(x: [B, width]) -> [B, width] {
    return layers(x)
  }
}
