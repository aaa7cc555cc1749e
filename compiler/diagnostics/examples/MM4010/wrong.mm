tower TextTower(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed)
  }
}

model TextModel() {
  text = TextTower()
  input tokens: [B, 16]
  forward {
    output features = text(tokens)
  }
}
