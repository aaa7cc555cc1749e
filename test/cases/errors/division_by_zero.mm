# A head width computed by dividing by zero heads.
# expect: MM3016 at 5:18

block Attention(width: Int = 64, heads: Int = 0) {
  let head_dim = width // heads
  param qkv: [3 * width, width] init xavier_uniform
  param scale: [head_dim] init ones
  forward(x: [B, T, width]) -> [B, T, width] {
    let (q, k, v) = split(linear(x, qkv), [width, width, width], axis: -1)
    return attention(q, k, v, heads: heads)
  }
}
