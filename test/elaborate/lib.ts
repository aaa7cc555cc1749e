// The small block library the elaboration tests build models from.
export const LIB = `
block Linear(in_features: Int, out_features: Int, bias: Bool = true) {
  param weight: [out_features, in_features]
  param bias: [out_features] if bias
  forward(x: [..., in_features]) -> [..., out_features] { return linear(x, weight, bias) }
}
block MLP(width: Int, hidden: Int) {
  fc1 = Linear(width, hidden)
  fc2 = Linear(hidden, width)
  forward(x: [..., width]) -> [..., width] { return fc2(gelu(fc1(x))) }
}
`;
