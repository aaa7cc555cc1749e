# A block is called inside a forward: declare it as a submodule, then call the submodule.
# expect: MM3010 at 10:13

import "lib/layers.mm"

fusion LateFusion(image_dim: Int = 48, text_dim: Int = 32, width: Int = 64) {
  image_proj = Linear(image_dim, width)
  forward(image: [B, image_dim], text: [B, text_dim]) -> [B, width] {
    let a = image_proj(image)
    let b = Linear(text_dim, width)(text)
    return a + b
  }
}
