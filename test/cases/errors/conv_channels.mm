# The second convolution of a stem declares 64 input channels, but the first one makes 32.
# expect: MM4006 at 9:19

block ConvStem(channels: Int = 3, hidden: Int = 32, width: Int = 64) {
  param conv1: [hidden, channels, 3, 3] init kaiming_uniform
  param conv2: [width, 64, 3, 3] init kaiming_uniform
  forward(x: [B, channels, H, W]) -> [B, width, H // 4, W // 4] {
    let h = relu(conv2d(x, conv1, stride: 2, padding: 1))
    return conv2d(h, conv2, stride: 2, padding: 1)
  }
}
