block Adapter(width: Int = 64, bottleneck: Int = 16) {
  param down: [bottleneck, width] init xavier_uniform
  param up: [width, bottleneck] init zeros
  forward(x: [B, width]) -> [B, width] {
    return x + linear(relu(linear(x, down)), up)
  }
}
