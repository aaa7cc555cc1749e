# A variant of a model that is not declared (a misspelling of CaptionModel).
# expect: MM2007 at 20:27

tower TextDecoder(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, vocab] {
    return embedding(tokens, embed) @ embed.T
  }
}

model CaptionModel(vocab: Int = 1000) {
  decoder = TextDecoder(vocab)
  input tokens: [B, 16] int64
  forward {
    let logits = decoder(tokens)
    loss lm = cross_entropy(logits[:, :-1], tokens[:, 1:], axis: -1)
  }
}

model CaptionModelSmall = CaptionModle(vocab: 500)
