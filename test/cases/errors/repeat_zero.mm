# `repeat 0` makes an empty stack: a repeat count must be at least 1.
# expect: MM3007 at 7:19

import "lib/layers.mm"

tower VisionEncoder(width: Int = 64, heads: Int = 4, depth: Int = 0) {
  blocks = repeat depth EncoderLayer(width, heads)
  forward(patches: [B, N, width]) -> [B, N, width] {
    for layer in blocks {
      patches = layer(patches)
    }
    return patches
  }
}
