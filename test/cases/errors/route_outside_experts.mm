# `route` chooses between experts, so it is only allowed in an `experts` block.
# expect: MM1005 at 15:3

block FeedForward(width: Int = 64, hidden: Int = 256) {
  param w1: [hidden, width] init xavier_uniform
  param w2: [width, hidden] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return linear(gelu(linear(x, w1)), w2)
  }
}

block ModalityFFN(width: Int = 64) {
  image = FeedForward(width)
  text = FeedForward(width)
  route by modality
}
