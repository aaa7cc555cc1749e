block Attention(width: Int, heads: Int) where width % heads == 0 {
  param qkv: [3 * width, width] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    let (q, k, v) = split(linear(x, qkv), [width, width, width], axis: -1)
    return attention(q, k, v, heads: heads)
  }
}

tower TextEncoder(width: Int = 6_4, heads: Int = 4) {
  attn = Attention(width, heads)
  forward(x: [B, T, width]) -> [B, T, width] {
    return attn(x)
  }
}
