head Classifier(width: Int = 64, classes: Int = 1_000_000) {
  param weight: [classes, width] init zeros
  forward(x: [B, width]) -> [B, classes] {
    return linear(x, weight)
  }
}
