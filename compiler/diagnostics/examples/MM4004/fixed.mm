fusion EarlyFusion(width: Int = 64, text_width: Int = 48) {
  param text_proj: [width, text_width] init xavier_uniform
  forward(image: [B, N, width], text: [B, T, text_width]) -> [B, N + T, width] {
    return concat([image, linear(text, text_proj)], axis: 1)
  }
}
