# Float features fed to a text tower whose forward takes int64 token ids.
# expect: MM4010 at 18:43

tower TextTower(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed)
  }
}

model Retrieval(width: Int = 64) {
  text = TextTower(width: width)
  param image_proj: [width, 48] init xavier_uniform
  input pixels: [B, 48]
  input tokens: [B, 16] float32
  forward {
    let image_embeds = normalize(linear(pixels, image_proj))
    let text_embeds = normalize(mean(text(tokens), axes: [1]))
    output logits: [B, B] = image_embeds @ text_embeds.T
  }
}
