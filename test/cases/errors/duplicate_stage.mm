# Two stages of one name: which one trains what would depend on the order.
# expect: MM2002 at 11:9

import "lib/layers.mm"

model M {
  head = Linear(4, 2)
  input x: [B, 4]
  forward { output y = head(x) }
  stage s { train: head }
  stage s { freeze: head }
}
