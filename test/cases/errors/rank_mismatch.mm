# A sequence [B, T, width] passed where the head expects pooled features [B, width].
# expect: MM4008 at 18:26

import "lib/layers.mm"

head Classifier(width: Int = 64, classes: Int = 10) {
  fc = Linear(width, classes)
  forward(pooled: [B, width]) -> [B, classes] {
    return fc(pooled)
  }
}

model TextClassifier(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  head = Classifier(width)
  input tokens: [B, 32] int64
  forward {
    output logits = head(embedding(tokens, embed))
  }
}
