# A variant's override names an argument the block does not have: a typo that would
# otherwise change nothing while the user believes it did.
# expect: MM3012 at 13:40

import "lib/layers.mm"

model Base {
  head = Linear(4, 2)
  input x: [B, 4]
  forward { output y = head(x) }
}

model NoBias = Base with { head.bais = false }
