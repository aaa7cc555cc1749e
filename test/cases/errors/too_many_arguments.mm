# More positional arguments than the block declares.
# expect: MM3004 at 7:41

import "lib/layers.mm"

tower PatchEncoder(width: Int = 64, heads: Int = 4) {
  layer = EncoderLayer(width, heads, 4, true)
  forward(patches: [B, N, width]) -> [B, N, width] {
    return layer(patches)
  }
}
