tower Encoder(in_dim: Int = 48, width: Int = 32) {
  param proj: [width, in_dim] init xavier_uniform
  forward(x: [B, in_dim]) -> [B, width] {
    return normalize(linear(x, proj))
  }
}

model DualEncoder(width: Int = 32) {
  image = Encoder(48, width)
  text = Encoder(24, width)
  input image_features: [B, 48]
  input text_features: [B, 24]
  forward {
    let image_embeds = image(image_features)
    let text_embeds = text(text_features)
    output image_embeds = image_embeds
    output text_embeds = text_embeds
    loss itc = cross_entropy(image_embeds @ text_embeds.T, arange(B))
  }
  task retrieval { outputs: image_embeds, text_embeds }
}
