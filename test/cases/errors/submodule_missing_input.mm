# A fusion block called without its second required input (`text`).
# expect: MM4012 at 26:20

fusion CrossAttentionFusion(width: Int = 64, heads: Int = 4) {
  param q_proj: [width, width] init xavier_uniform
  param kv_proj: [2 * width, width] init xavier_uniform
  forward(image: [B, N, width], text: [B, T, width]) -> [B, T, width] {
    let (k, v) = split(linear(image, kv_proj), [width, width], axis: -1)
    return text + attention(linear(text, q_proj), k, v, heads: heads)
  }
}

tower TextTower(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed)
  }
}

model VisualQA(width: Int = 64) {
  text = TextTower(width: width)
  fusion = CrossAttentionFusion(width)
  input image_tokens: [B, 49, width]
  input question: [B, 12] int64
  forward {
    output fused = fusion(image_tokens)
    output question_embeds = text(question)
  }
}
