# An import of a file that does not exist (the path is relative to this file).
# expect: MM2003 at 4:8

import "lib/vision_blocks.mm"

model Classifier(classes: Int = 10) {
  backbone = ConvStem(3, 32)
  param head: [classes, 32] init zeros
  input pixels: [B, 3, 32, 32]
  forward {
    output logits = linear(mean(backbone(pixels), axes: [2, 3]), head)
  }
}
