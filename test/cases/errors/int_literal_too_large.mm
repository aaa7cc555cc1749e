# An Int literal past 2^53 would silently round: it is an error.
# expect: MM3008 at 4:13
model M {
  param w: [9_007_199_254_740_993]
  input x: [B, 4]
  forward {
    output y: [B, 4] = x
  }
}
