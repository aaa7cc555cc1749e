# Independent mistakes in one model are all reported: a loss that is not reduced, and a
# task naming a loss that does not exist.
# expect: MM5003 at 26:5
# expect: MM5004 at 29:37

tower Encoder(in_dim: Int, width: Int = 32) {
  param proj: [width, in_dim] init xavier_uniform
  forward(x: [B, in_dim]) -> [B, width] {
    return normalize(linear(x, proj))
  }
}

model ImageTextMatcher(width: Int = 32) {
  image = Encoder(48, width)
  text = Encoder(24, width)
  param itm_head: [2, 2 * width] init zeros
  input image_features: [B, 48]
  input text_features: [B, 24]
  input match_labels: [B] int64
  forward {
    let image_embeds = image(image_features)
    let text_embeds = text(text_features)
    let logits = image_embeds @ text_embeds.T
    loss itc = cross_entropy(logits, arange(B))
    let pair = concat([image_embeds, text_embeds], axis: -1)
    loss itm = cross_entropy(linear(pair, itm_head), match_labels, reduction: "none")
  }

  task pretrain { losses: itc, itm, mlm }
}
