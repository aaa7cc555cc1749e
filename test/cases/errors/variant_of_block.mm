# A variant must be based on a model, not on a block.
# expect: MM5008 at 14:26

import "lib/layers.mm"

tower TextEncoder(vocab: Int = 1000, width: Int = 64, heads: Int = 4) {
  param embed: [vocab, width] init normal(std: 0.02)
  layer = EncoderLayer(width, heads)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return layer(embedding(tokens, embed), causal: true)
  }
}

model TextEncoderLarge = TextEncoder(width: 128) with {
  layer.heads = 8
}
