# Adding learned positions for 50 tokens to a sequence of 49 patches (the class token is missing).
# expect: MM4003 at 10:16

tower PatchEncoder(image: Int = 28, patch: Int = 4, width: Int = 64) {
  let grid = image / patch
  param patch_embed: [width, 3, patch, patch] init kaiming_uniform
  param pos: [grid * grid + 1, width] init normal(std: 0.02)
  forward(pixels: [B, 3, image, image]) -> [B, grid * grid, width] {
    let x = flatten(conv2d(pixels, patch_embed, stride: patch), start: 2).T
    return x + pos
  }
}
