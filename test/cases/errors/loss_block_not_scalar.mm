# A `loss` block that returns per-example losses [B] instead of a scalar.
# expect: MM5003 at 10:12

loss ContrastiveLoss(temperature: Float = 0.07) {
  forward(image: [B, D], text: [B, D]) -> [B] {
    let logits = image @ text.T / temperature
    let targets = arange(B)
    let per_image = cross_entropy(logits, targets, reduction: "none")
    let per_text = cross_entropy(logits.T, targets, reduction: "none")
    return (per_image + per_text) / 2.0
  }
}
