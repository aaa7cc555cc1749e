tower Encoder(in_dim: Int = 48, width: Int = 32) {
  param proj: [width, in_dim] init xavier_uniform
  forward(x: [B, in_dim]) -> [B, width] {
    return normalize(linear(x, proj))
  }
}

model EncoderWide = Encoder(width: 64)
