# A forward with an unnamed output type that never returns.
# expect: MM5007 at 7:3

block Adapter(width: Int = 64, bottleneck: Int = 16) {
  param down: [bottleneck, width] init xavier_uniform
  param up: [width, bottleneck] init zeros
  forward(x: [B, T, width]) -> [B, T, width] {
    let h = relu(linear(x, down))
    x = x + linear(h, up)
  }
}
