loss MSE() {
  forward(pred: [B, D], target: [B, D]) -> [] {
    return mean((pred - target) ** 2)
  }
}
