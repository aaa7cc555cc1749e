# Two syntax errors in one file: the parser recovers at the next item and reports both.
# expect: MM1001 at 7:33
# expect: MM1001 at 15:3

block PatchEmbed(channels: Int = 3, width: Int = 64, patch: Int = 16) {
  param weight: [width, channels, patch, patch] init kaiming_uniform
  param bias: [width] init zeros,
  forward(x: [B, channels, H, W]) -> [B, width, H // patch, W // patch] {
    return conv2d(x, weight, bias, stride: patch)
  }
}

block Projector(width: Int = 64, embed: Int = 32) {
  param weight: [embed, width] init (normal(std: 0.02)
  forward(x: [B, T, width]) -> [B, T, embed] {
    return linear(x, weight)
  }
}
