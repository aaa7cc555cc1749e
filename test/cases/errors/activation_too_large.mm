# An input of 1.6e17 elements: sizes in bytes would not be exact.
# expect: MM3008 at 4:3
model M {
  input x: [400_000_000, 400_000_000]
  forward {
    output y = x * 2.0
  }
}
