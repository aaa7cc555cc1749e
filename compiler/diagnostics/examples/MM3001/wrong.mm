block Linear(in_dim: Int, out_dim: Int, bias: Bool = true) {
  param weight: [out_dim, in_dim] init kaiming_uniform
  param bias: [out_dim] init zeros if bias
  forward(x: [..., in_dim]) -> [..., out_dim] {
    return linear(x, weight, bias)
  }
}

model Classifier(width: Int = 64, classes: Int = 10) {
  head = Linear(width, "10")
  input features: [B, width]
  forward {
    output logits = head(features)
  }
}
