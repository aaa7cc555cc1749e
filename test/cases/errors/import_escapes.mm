# A relative import that climbs out of the project root (the folder of package.json).
# expect: MM2005 at 4:8

import "../../../../shared/layers.mm"

head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  forward(x: [B, width]) -> [B, classes] {
    return linear(x, weight)
  }
}
