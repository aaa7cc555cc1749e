head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  forward(features: [B, width]) -> [B, classes] {
    return linear(features, weight)
  }
}
