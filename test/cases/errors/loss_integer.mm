# A loss computed from an integer tensor has no gradient.
# expect: MM4010 at 11:5

import "lib/layers.mm"

model M {
  head = Linear(4, 2)
  input x: [B, 4]
  input ids: [B] int64
  forward {
    loss count = sum(ids)
    output y = head(x)
  }
}
