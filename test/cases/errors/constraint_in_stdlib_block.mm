# A constraint of a stdlib block that the user's arguments break two levels down: reported
# at the stdlib line, with the instantiations back to the user's line as notes.
# expect: MM3005 at ../../../stdlib/nn/transformer.mm:8:15

import "std/nn/transformer.mm"

model M {
  enc = Encoder(width: 10, depth: 2, heads: 4)
  input x: [B, T, 10]
  forward {
    output y = enc(x)
  }
}
