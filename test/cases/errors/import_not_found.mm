# An import of a file that does not exist (the path is relative to this file).
# The use of a name the missing file would have declared is reported too.
# expect: MM2003 at 6:8
# expect: MM2001 at 9:14

import "lib/vision_blocks.mm"

model Classifier(classes: Int = 10) {
  backbone = ConvStem(3, 32)
  param head: [classes, 32] init zeros
  input pixels: [B, 3, 32, 32]
  forward {
    output logits = linear(mean(backbone(pixels), axes: [2, 3]), head)
  }
}
