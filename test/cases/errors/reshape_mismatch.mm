# Splitting 64 channels into 6 heads of 12 leaves 64 != 72 elements per token.
# expect: MM4005 at 7:23

block SplitHeads(width: Int = 64, heads: Int = 6) {
  let head_dim = 12
  forward(x: [B, T, width]) -> [B, T, heads, head_dim] {
    return reshape(x, [B, T, heads, head_dim])
  }
}
