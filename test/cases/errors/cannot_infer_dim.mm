# Turning patch tokens back into a feature map: from 196 tokens alone, H and W in `H * W`
# cannot be solved.
# expect: MM4011 at 16:34

block TokensToMap(width: Int = 64) {
  forward(tokens: [B, H * W, width]) -> [B, width, H, W] {
    return reshape(tokens.T, [B, width, H, W])
  }
}

model DenseHead(width: Int = 64, classes: Int = 21) {
  to_map = TokensToMap(width)
  param classifier: [classes, width, 1, 1] init zeros
  input patch_tokens: [B, 196, width]
  forward {
    output masks = conv2d(to_map(patch_tokens), classifier)
  }
}
