head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  input features: [B, width]
  forward() -> [B, classes] {
    return linear(features, weight)
  }
}
