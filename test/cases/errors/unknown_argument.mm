# A misspelt named argument: the compiler suggests the parameter that exists.
# expect: MM3003 at 13:38

block Linear(in_features: Int, out_features: Int, bias: Bool = true) {
  param weight: [out_features, in_features] init kaiming_uniform
  param bias: [out_features] init zeros if bias
  forward(x: [..., in_features]) -> [..., out_features] {
    return linear(x, weight, bias)
  }
}

head ImageProjector(vision_width: Int = 768, embed: Int = 512) {
  proj = Linear(vision_width, embed, biass: false)
  forward(features: [B, vision_width]) -> [B, embed] {
    return normalize(proj(features))
  }
}
