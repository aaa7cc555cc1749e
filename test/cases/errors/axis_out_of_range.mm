# Softmax over axis 3 of a rank-3 tensor of scores.
# expect: MM4009 at 8:35

block ScorePool(width: Int = 64) {
  param score: [1, width] init normal(std: 0.02)
  forward(x: [B, T, width]) -> [B, width] {
    let scores = linear(x, score)
    let w = softmax(scores, axis: 3)
    return sum(x * w, axes: [1])
  }
}
