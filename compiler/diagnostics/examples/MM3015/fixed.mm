tower TextEncoder(vocab: Int = 1000, width: Int = 64, context: Int = 77) {
  param embed: [vocab, width] init normal(std: 0.02)
  param positions: [context, width] init normal(std: 0.01)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed) + positions[:T]
  }
}
