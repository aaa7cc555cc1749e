# A misspelt member of a submodule: its compile-time values are listed as suggestions.
# expect: MM2001 at 26:27

tower VisionEncoder(image: Int = 32, patch: Int = 8, width: Int = 64) {
  let grid = image / patch
  param patch_embed: [width, 3, patch, patch] init kaiming_uniform
  param pos: [grid ** 2, width] init normal(std: 0.02)
  forward(pixels: [B, 3, image, image]) -> [B, grid ** 2, width] {
    return flatten(conv2d(pixels, patch_embed, stride: patch), start: 2).T + pos
  }
}

block Linear(in_features: Int, out_features: Int) {
  param weight: [out_features, in_features] init kaiming_uniform
  forward(x: [..., in_features]) -> [..., out_features] {
    return linear(x, weight)
  }
}

model Captioner(embed: Int = 48) {
  vision = VisionEncoder()
  input pixels: [B, 3, 32, 32]
  forward {
    output tokens = project(vision(pixels))
  }
  project = Linear(vision.widht, embed)
}
