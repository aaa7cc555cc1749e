block QueryTokens(count: Int = 8, width: Int = 64) {
  param tokens: [count, width] init normal(std: 0.02)
  forward(image_tokens: [B, N, width]) -> [B, count, width] {
    let q = expand(unsqueeze(tokens, 0), [B, count, width])
    return attention(q, image_tokens, image_tokens, heads: 4)
  }
}

model Queries(width: Int = 64) {
  queries = QueryTokens(8, width)
  input image_tokens: [B, 49, width]
  forward {
    output pooled = queries(image_tokens)
  }
}
