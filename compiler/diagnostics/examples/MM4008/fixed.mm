head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  forward(pooled: [B, width]) -> [B, classes] {
    return linear(pooled, weight)
  }
}

model TextClassifier(width: Int = 64) {
  head = Classifier(width)
  input tokens: [B, 16, width]
  forward {
    output logits = head(mean(tokens, axes: [1]))
  }
}
