# A bottleneck of width - 64 is 0 for width 64: dims must be positive.
# expect: MM3017 at 6:16
# expect: MM3017 at 7:21

block Bottleneck(width: Int = 64) {
  param down: [width - 64, width] init xavier_uniform
  param up: [width, width - 64] init zeros
  forward(x: [B, T, width]) -> [B, T, width] {
    return x + linear(relu(linear(x, down)), up)
  }
}
