block TokensToMap(width: Int = 64, grid: Int = 14) {
  forward(tokens: [B, grid * grid, width]) -> [B, width, grid, grid] {
    return reshape(tokens.T, [B, width, grid, grid])
  }
}

model DenseHead(width: Int = 64) {
  to_map = TokensToMap(width)
  input patch_tokens: [B, 196, width]
  forward {
    output feature_map = to_map(patch_tokens)
  }
}
