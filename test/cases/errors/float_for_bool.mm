# A Float passed where the block declares a Bool.
# expect: MM3001 at 7:31

import "lib/layers.mm"

head ProjectionHead(width: Int = 64, embed: Int = 32) {
  proj = Linear(width, embed, 0.0)
  norm = LayerNorm(embed)
  forward(x: [B, width]) -> [B, embed] {
    return norm(proj(x))
  }
}
