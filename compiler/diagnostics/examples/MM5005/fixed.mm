block FeedForward(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return gelu(linear(x, w))
  }
}

experts ModalityFFN(width: Int = 64) {
  image = FeedForward(width)
  text = FeedForward(width)
  route by modality
}

model Multiway(width: Int = 64) {
  ffn = ModalityFFN(width)
  input tokens: [B, 16, width]
  forward {
    output out = ffn(tokens, modality: "text")
  }
}
