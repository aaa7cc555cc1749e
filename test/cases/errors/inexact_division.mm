# `/` on Ints must divide exactly: 224 / 14 is fine, but 224 / 32 * 3 / 10 is not an Int.
# expect: MM3009 at 6:16

tower ViT(image: Int = 224, patch: Int = 32, width: Int = 64) {
  let grid = image / patch
  let tokens = grid * grid / 10
  param patch_embed: [width, 3, patch, patch] init kaiming_uniform
  param pos: [tokens, width] init normal(std: 0.02)
  forward(pixels: [B, 3, image, image]) -> [B, grid ** 2, width] {
    return flatten(conv2d(pixels, patch_embed, stride: patch), start: 2).T
  }
}
