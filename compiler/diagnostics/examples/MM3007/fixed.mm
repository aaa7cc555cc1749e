block Linear(in_dim: Int, out_dim: Int, bias: Bool = true) {
  param weight: [out_dim, in_dim] init kaiming_uniform
  param bias: [out_dim] init zeros if bias
  forward(x: [..., in_dim]) -> [..., out_dim] {
    return linear(x, weight, bias)
  }
}

block Stack(width: Int = 64, depth: Int = 2) {
  layers = repeat depth Linear(width, width)
  forward(x: [B, width]) -> [B, width] {
    return layers(x)
  }
}
