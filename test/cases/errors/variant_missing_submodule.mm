# A variant overrides the argument of a submodule the model does not have (`vision`).
# expect: MM3012 at 24:3

import "lib/layers.mm"

tower ImageEncoder(width: Int = 64, heads: Int = 4) {
  proj = Linear(48, width)
  layer = EncoderLayer(width, heads)
  forward(patches: [B, N, 48]) -> [B, N, width] {
    return layer(proj(patches))
  }
}

model ImageClassifier(classes: Int = 10) {
  image = ImageEncoder()
  head = Linear(image.width, classes)
  input patches: [B, 16, 48]
  forward {
    output logits = head(mean(image(patches), axes: [1]))
  }
}

model ImageClassifierWide = ImageClassifier(classes: 100) with {
  vision.width = 128
}
