# `input` items belong to a model; a block receives tensors through its forward.
# expect: MM1005 at 6:3

fusion GatedFusion(width: Int = 64) {
  param gate: [width, 2 * width] init xavier_uniform
  input image_features: [B, width]
  forward(image: [B, width], text: [B, width]) -> [B, width] {
    let g = sigmoid(linear(concat([image, text], axis: -1), gate))
    return g * image + (1.0 - g) * text
  }
}
