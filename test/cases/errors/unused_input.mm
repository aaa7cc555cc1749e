# A forward input that nothing reads is a warning: the program still checks (exit 0).
# expect: MM5002 at 6:33

head ContrastiveHead(width: Int = 64, embed: Int = 32) {
  param proj: [embed, width] init normal(std: 0.02)
  forward(features: [B, width], attention_mask: [B, T] bool = none) -> [B, embed] {
    return normalize(linear(features, proj))
  }
}
