# A `return` in a model's forward: a model's results are its `output` statements.
# expect: MM1005 at 10:5

import "lib/layers.mm"

model M {
  head = Linear(4, 2)
  input x: [B, 4]
  forward {
    return head(x)
  }
}
