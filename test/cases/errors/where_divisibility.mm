# A `where` constraint of the block fails for this instance: 100 is not a multiple of 8.
# expect: MM3005 at 7:10

import "lib/layers.mm"

tower SpeechEncoder(mels: Int = 80, width: Int = 100, heads: Int = 8) {
  attn = SelfAttention(width, heads)
  proj = Linear(mels, width)
  forward(spec: [B, T, mels]) -> [B, T, width] {
    return attn(proj(spec))
  }
}
