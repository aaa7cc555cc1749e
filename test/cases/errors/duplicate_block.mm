# Two blocks with the same name in one file.
# expect: MM2002 at 12:7

block Adapter(width: Int = 64, bottleneck: Int = 16) {
  param down: [bottleneck, width] init xavier_uniform
  param up: [width, bottleneck] init zeros
  forward(x: [B, T, width]) -> [B, T, width] {
    return x + linear(relu(linear(x, down)), up)
  }
}

block Adapter(width: Int = 64, rank: Int = 8) {
  param a: [rank, width] init normal(std: 0.02)
  param b: [width, rank] init zeros
  forward(x: [B, T, width]) -> [B, T, width] {
    return x + linear(linear(x, a), b)
  }
}
