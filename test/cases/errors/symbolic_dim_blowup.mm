# Squaring (B + T + 1) over and over: a symbolic dim that expands past the term budget is MM3008, not minutes of arithmetic.
# expect: MM3008 at 8:11
model M {
  input x: [B, T]
  forward {
    let n = B + T + 1
    for i in range(12) {
      n = n * n
    }
    output y = reshape(x, [B * T])
  }
}
