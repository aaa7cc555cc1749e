fusion EarlyFusion(width: Int = 64, text_width: Int = 48) {
  forward(image: [B, N, width], text: [B, T, text_width]) -> [B, N + T, width] {
    return concat([image, text], axis: 1)
  }
}
