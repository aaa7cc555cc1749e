# Helper for the golden error cases (not a case itself).
block TokenEmbedding(vocab: Int, width: Int) {
  param weight: [vocab, width] init normal(std: 0.02)
  forward(ids: [...] int64) -> [..., width] {
    return embedding(ids, weight)
  }
}
