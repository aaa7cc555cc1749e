# A dim whose value exceeds 2^53 cannot be represented exactly.
# expect: MM3008 at 5:15

head GiantClassifier(width: Int = 4096, classes: Int = 1_000_000) {
  let vocab = classes * classes * classes
  param weight: [vocab, width] init zeros
  forward(x: [B, width]) -> [B, vocab] {
    return linear(x, weight)
  }
}
