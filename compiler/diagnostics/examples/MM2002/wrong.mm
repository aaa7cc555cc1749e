block Adapter(width: Int = 64, bottleneck: Int = 16) {
  param proj: [bottleneck, width] init xavier_uniform
  param proj: [width, bottleneck] init zeros
  forward(x: [B, width]) -> [B, width] {
    return x + linear(relu(linear(x, proj)), proj)
  }
}
