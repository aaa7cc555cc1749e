# Early fusion without a text projection: image tokens are 64 wide, text tokens 48.
# expect: MM4004 at 6:19

fusion EarlyFusion(image_width: Int = 64, text_width: Int = 48) {
  forward(image: [B, N, image_width], text: [B, T, text_width]) -> [B, N + T, image_width] {
    return concat([image, text], axis: 1)
  }
}
