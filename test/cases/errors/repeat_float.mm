# A repeat count computed with Float arithmetic (`*` with 1.5) is not an Int.
# expect: MM3007 at 7:19

import "lib/layers.mm"

tower TextEncoder(width: Int = 64, heads: Int = 4, depth: Int = 4) {
  blocks = repeat depth * 1.5 EncoderLayer(width, heads)
  forward(x: [B, T, width]) -> [B, T, width] {
    for layer in blocks {
      x = layer(x, causal: true)
    }
    return x
  }
}
