tower Encoder(in_dim: Int = 48, width: Int = 32) {
  param proj: [width, in_dim] init xavier_uniform
  forward(x: [B, in_dim]) -> [B, width] {
    return normalize(linear(x, proj))
  }
}

model Retrieval(width: Int = 32) {
  image = Encoder(48, width)
  input features: [B, 48]
  forward {
    output embeds = image(features)
  }
}

model RetrievalWide = Retrieval(width: 64)
