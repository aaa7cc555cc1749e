# This file imports lib/cycle_fusion.mm, which imports this file back.
# expect: MM2004 at lib/cycle_fusion.mm:3:8

import "lib/cycle_fusion.mm"

tower TextTower(vocab: Int = 100, width: Int = 32) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed)
  }
}

model Matcher() {
  text = TextTower()
  fuse = ConcatFusion(32)
  input tokens: [B, 8] int64
  input image: [B, 8, 32]
  forward {
    output fused = fuse(text(tokens), image)
  }
}
