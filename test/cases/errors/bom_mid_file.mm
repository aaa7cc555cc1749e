# A byte-order mark inside a file (pasted text) is an invalid character, not a space.
# expect: MM1003 at 8:5
import "lib/layers.mm"

model M {
  input x: [B, 4]
  forward {
    ﻿output y: [B, 4] = x
  }
}
