# A String passed where the block declares an Int.
# expect: MM3001 at 7:38

import "lib/layers.mm"

tower TextEncoder(vocab: Int = 1000, width: Int = 64) {
  layer = EncoderLayer(width, heads: "8")
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return layer(embedding(tokens, embed), causal: true)
  }
}
