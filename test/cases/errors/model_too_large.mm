# 1,000 layers of 4e6 x 4e6: 1.6e16 parameters, more than 2^53 in all.
# expect: MM3008 at 5:7
import "lib/layers.mm"

model M {
  layers = repeat 1000 Linear(4_000_000, 4_000_000)
  input x: [B, 4_000_000]
  forward {
    output y: [B, 4_000_000] = layers(x)
  }
}
