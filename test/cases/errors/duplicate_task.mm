# Two tasks of one name: `--task t` would compile only one of them.
# expect: MM2002 at 11:8

import "lib/layers.mm"

model M {
  head = Linear(4, 2)
  input x: [B, 4]
  forward { output y = head(x) }
  task t { outputs: y }
  task t { outputs: y }
}
