# Learned positions sized by the runtime sequence length T: a parameter's shape must be known.
# expect: MM3015 at 5:21

tower TextEncoder(vocab: Int = 1000, width: Int = 64) {
  param positions: [T, width] init normal(std: 0.01)
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed) + positions
  }
}
