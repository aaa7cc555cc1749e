block ConvStem(channels: Int = 3, width: Int = 64) {
  param conv1: [32, channels, 3, 3] init kaiming_uniform
  param conv2: [width, 32, 3, 3] init kaiming_uniform
  forward(x: [B, channels, H, W]) -> [B, width, H, W] {
    return conv2d(relu(conv2d(x, conv1, padding: 1)), conv2, padding: 1)
  }
}
