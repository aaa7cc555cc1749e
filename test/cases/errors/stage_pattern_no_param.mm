# A stage freezes `vision.*`, but the model's image tower is called `image`.
# expect: MM5004 at 23:44

tower Encoder(in_dim: Int, width: Int = 32) {
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
    let logits = image(image_features) @ text(text_features).T
    loss itc = cross_entropy(logits, arange(B))
  }

  task pretrain { losses: itc }
  stage warmup { train: text; freeze: image; tasks: pretrain }
  stage finetune { train: text.**; freeze: vision.*; tasks: pretrain }
}
