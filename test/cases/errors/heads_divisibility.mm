# Attention over 100-wide features with 8 heads (no `where` constraint catches it earlier).
# expect: MM4007 at 9:54

block CrossAttention(width: Int = 100, heads: Int = 8) {
  param q_proj: [width, width] init xavier_uniform
  param kv_proj: [2 * width, width] init xavier_uniform
  forward(x: [B, T, width], media: [B, M, width]) -> [B, T, width] {
    let (k, v) = split(linear(media, kv_proj), [width, width], axis: -1)
    return attention(linear(x, q_proj), k, v, heads: heads)
  }
}
