# Image features [B, 48] multiplied by a projection declared for 64-wide features.
# expect: MM4002 at 7:23

head ImageProjection(feature_dim: Int = 48, width: Int = 64, embed: Int = 32) {
  param proj: [width, embed] init normal(std: 0.02)
  forward(features: [B, feature_dim]) -> [B, embed] {
    return features @ proj
  }
}
