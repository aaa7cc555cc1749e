# A dtype that does not exist (bf16 is spelt bfloat16).
# expect: MM3014 at 5:32

block Embedding(count: Int = 1000, width: Int = 64) {
  param weight: [count, width] bf16 init normal(std: 0.02)
  forward(ids: [...] int64) -> [..., width] {
    return embedding(ids, weight)
  }
}
