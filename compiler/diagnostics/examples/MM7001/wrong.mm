block Linear(in_dim: Int, out_dim: Int) {
  param weight: [out_dim, in_dim] init kaiming_uniform
  forward(x: [..., in_dim]) -> [..., out_dim] {
    return linear(x, weight, none)
  }
}

model Encoder(depth: Int = 1_000_000) {
  layers = repeat depth Linear(64, 64)
  input x: [B, 64]
  forward {
    output y: [B, 64] = layers(x)
  }
}
