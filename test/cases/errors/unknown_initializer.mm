# An initializer that does not exist (a misspelling of xavier_uniform).
# expect: MM3013 at 5:37

block GatedCrossAttention(width: Int = 64, heads: Int = 4) {
  param q_proj: [width, width] init xavier_unifrom
  param kv_proj: [2 * width, width] init xavier_uniform
  param gate: [1] init zeros
  forward(x: [B, T, width], media: [B, M, width]) -> [B, T, width] {
    let (k, v) = split(linear(media, kv_proj), [width, width], axis: -1)
    let y = attention(linear(x, q_proj), k, v, heads: heads)
    return x + tanh(gate) * y
  }
}
