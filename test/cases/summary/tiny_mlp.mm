# A two-layer MLP whose memory figures are checked by hand in test/golden/summary.test.ts.
block Linear(i: Int, o: Int) {
  param weight: [o, i]
  param bias: [o] init zeros
  forward(x: [..., i]) -> [..., o] {
    return linear(x, weight, bias)
  }
}

model TinyMLP {
  fc1 = Linear(4, 8)
  fc2 = Linear(8, 2)
  input x: [B, 4]
  forward {
    output y = fc2(gelu(fc1(x)))
  }
}
