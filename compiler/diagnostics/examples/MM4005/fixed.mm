block SplitHeads(width: Int = 64, heads: Int = 4) {
  forward(x: [B, T, width]) -> [B, T, heads, width / heads] {
    return reshape(x, [B, T, heads, width / heads])
  }
}
