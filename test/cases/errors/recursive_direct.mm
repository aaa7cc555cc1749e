# A block that contains an instance of itself: the model would be infinite.
# expect: MM3006 at 8:11

import "lib/layers.mm"

block RecursiveEncoder(width: Int = 64, heads: Int = 4) {
  layer = EncoderLayer(width, heads)
  inner = RecursiveEncoder(width, heads)
  forward(x: [B, T, width]) -> [B, T, width] {
    return inner(layer(x))
  }
}
