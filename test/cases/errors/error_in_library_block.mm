# A shape error inside an imported block that three towers use: reported once, at the
# library's line, with the chain of calls back to this file's line and the other two
# instances listed; the statements that use the failed towers' results add nothing.
# expect: MM4003 at lib/towers.mm:8:20

import "lib/towers.mm"

model ThreeTowers {
  image = Tower(16, 4)
  text = Tower(16, 2)
  audio = Tower(16, 3)
  input a: [B, T, 16]
  input b: [B, T, 16]
  forward {
    let ia = image(a)
    let tb = text(b)
    let au = audio(b)
    output y = ia + tb + au
    output z = ia * 2.0
  }
}
