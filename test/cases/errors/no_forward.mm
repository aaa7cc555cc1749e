# A block without a forward is called like a layer.
# expect: MM5006 at 15:30

## Holds the learned query tokens of a Q-Former; it has no computation of its own.
block QueryTokens(count: Int = 8, width: Int = 64) {
  param tokens: [count, width] init normal(std: 0.02)
}

model QueryPooler(width: Int = 64) {
  queries = QueryTokens(8, width)
  param kv: [2 * width, width] init xavier_uniform
  input image_tokens: [B, 49, width]
  forward {
    let (k, v) = split(linear(image_tokens, kv), [width, width], axis: -1)
    let q = expand(unsqueeze(queries(), 0), [B, 8, width])
    output pooled = attention(q, k, v, heads: 4)
  }
}
