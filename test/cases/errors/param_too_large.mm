# A parameter of 2^54 elements passes no stage: its size in bytes would not be exact.
# expect: MM3008 at 4:16
model M {
  param table: [4_503_599_627_370_496, 4]
  input x: [B, 4]
  forward {
    output y: [B, 4] = x
  }
}
