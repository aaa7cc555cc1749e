# A PyTorch habit: `dim:` where mm's ops take `axis:`.
# expect: MM3003 at 7:38

block AttentionPool(width: Int = 64) {
  param query: [width] init normal(std: 0.02)
  forward(x: [B, T, width]) -> [B, width] {
    let weights = softmax(x @ query, dim: -1)
    return sum(x * unsqueeze(weights, -1), axes: [1])
  }
}
