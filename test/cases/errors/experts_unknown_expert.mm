# Routing by modality to an expert the experts block does not declare (`audio`).
# expect: MM5005 at 26:52

block FeedForward(width: Int = 64, hidden: Int = 128) {
  param w1: [hidden, width] init xavier_uniform
  param w2: [width, hidden] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return linear(gelu(linear(x, w1)), w2)
  }
}

experts ModalityFFN(width: Int = 64) {
  image = FeedForward(width)
  text = FeedForward(width)
  route by modality
}

model MultiwayLayer(width: Int = 64) {
  ffn = ModalityFFN(width)
  input image_tokens: [B, 49, width]
  input text_tokens: [B, 16, width]
  input audio_tokens: [B, 32, width]
  forward {
    output image_out = ffn(image_tokens, modality: "image")
    output text_out = ffn(text_tokens, modality: "text")
    output audio_out = ffn(audio_tokens, modality: "audio")
  }
}
