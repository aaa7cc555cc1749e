# `depth: 1_000_000_000` for `depth: 12`: a budget, not a hang (mm params still counts it, folded).
# expect: MM7001 at 6:19
import "lib/layers.mm"

model Encoder(depth: Int = 1_000_000_000) {
  layers = repeat depth Linear(64, 64)
  input x: [B, 64]
  forward {
    output y: [B, 64] = layers(x)
  }
}
