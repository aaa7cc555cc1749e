block SplitHeads(width: Int = 64, heads: Int = 0) {
  let head_dim = width // heads
  forward(x: [B, T, width]) -> [B, T, heads, head_dim] {
    return reshape(x, [B, T, heads, head_dim])
  }
}
