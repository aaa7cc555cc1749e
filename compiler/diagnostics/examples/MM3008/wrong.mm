head Classifier(width: Int = 64, classes: Int = 1_000_000) {
  param weight: [classes ** 3, width] init zeros
  forward(x: [B, width]) -> [B, classes ** 3] {
    return linear(x, weight)
  }
}
