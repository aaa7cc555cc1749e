# A forward with named outputs that never assigns one of them (`pooled`).
# expect: MM5001 at 8:62

import "lib/layers.mm"

tower VisionTower(width: Int = 64, heads: Int = 4) {
  layer = EncoderLayer(width, heads)
  forward(patches: [B, N, width]) -> (tokens: [B, N, width], pooled: [B, width]) {
    tokens = layer(patches)
  }
}
