block QueryTokens(count: Int = 8, width: Int = 64) {
  param tokens: [count, width] init normal(std: 0.02)
}

model Queries(width: Int = 64) {
  queries = QueryTokens(8, width)
  input image_tokens: [B, 49, width]
  forward {
    output pooled = queries(image_tokens)
  }
}
