tower ViT(image: Int = 224, patch: Int = 15, width: Int = 64) {
  let grid = image / patch
  param patch_embed: [width, 3, patch, patch] init kaiming_uniform
  forward(pixels: [B, 3, image, image]) -> [B, grid ** 2, width] {
    return flatten(conv2d(pixels, patch_embed, stride: patch), start: 2).T
  }
}
