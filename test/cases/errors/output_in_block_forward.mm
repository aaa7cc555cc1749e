# `output` statements belong to a model's forward; a block returns its result.
# expect: MM1005 at 8:5

head ClassifierHead(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init normal(std: 0.02)
  forward(x: [B, T, width]) -> [B, classes] {
    let pooled = mean(x, axes: [1])
    output logits = linear(pooled, weight)
    return linear(pooled, weight)
  }
}
