# Two tensor parameters with the same name in one block.
# expect: MM2002 at 8:9

block CrossAttentionPool(width: Int = 64, queries: Int = 8) {
  param query: [queries, width] init normal(std: 0.02)
  param q_proj: [width, width] init xavier_uniform
  param kv_proj: [2 * width, width] init xavier_uniform
  param query: [queries, width] init zeros
  forward(x: [B, T, width]) -> [B, queries, width] {
    let (k, v) = split(linear(x, kv_proj), [width, width], axis: -1)
    let q = expand(unsqueeze(linear(query, q_proj), 0), [B, queries, width])
    return attention(q, k, v, heads: 4)
  }
}
