# A submodule called with a named input it does not declare (`mask` instead of `padding_mask`).
# expect: MM4012 at 20:34

tower TextTower(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64, padding_mask: [B, T] bool = none) -> [B, width] {
    let x = embedding(tokens, embed)
    if padding_mask != none {
      x = masked_fill(x, unsqueeze(padding_mask, -1), 0.0)
    }
    return mean(x, axes: [1])
  }
}

model SentenceEncoder(width: Int = 64) {
  text = TextTower(width: width)
  input tokens: [B, 32] int64
  input padding: [B, 32] bool
  forward {
    output embeds = text(tokens, mask: padding)
  }
}
