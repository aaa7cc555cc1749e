# A number with a doubled `_` separator.
# expect: MM1004 at 4:73

tower TextEncoder(vocab: Int = 49_408, width: Int = 512, context: Int = 7__7) {
  param token_embedding: [vocab, width] init normal(std: 0.02)
  param positional_embedding: [context, width] init normal(std: 0.01)
  forward(tokens: [B, context] int64) -> [B, context, width] {
    return embedding(tokens, token_embedding) + positional_embedding
  }
}
