# A dropout probability passed as a String.
# expect: MM3018 at 7:41

block ResidualDropout(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return x + dropout(linear(x, w), p: "0.1")
  }
}
