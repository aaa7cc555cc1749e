block TokensToMap(width: Int = 64) {
  forward(tokens: [B, H * W, width]) -> [B, width, H, W] {
    return reshape(tokens.T, [B, width, H, W])
  }
}

model DenseHead(width: Int = 64) {
  to_map = TokensToMap(width)
  input patch_tokens: [B, 196, width]
  forward {
    output feature_map = to_map(patch_tokens)
  }
}
