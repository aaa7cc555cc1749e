loss MSE() {
  forward(pred: [B, D], target: [B, D]) -> [B] {
    return mean((pred - target) ** 2, axes: [1])
  }
}
