block SplitHeads(width: Int = 64, heads: Int = 6) {
  forward(x: [B, T, width]) -> [B, T, heads, 12] {
    return reshape(x, [B, T, heads, 12])
  }
}
