fusion Gate(width: Int = 64) {
  param w: [width, 2 * width] init xavier_uniform
  forward(image: [B, width], text: [B, width]) -> [B, width] {
    return sigmoid(linear(concat([image, text], axis: -1), w)) * image
  }
}

model Fused(width: Int = 64) {
  gate = Gate(width)
  input image: [B, width]
  input text: [B, width]
  forward {
    output fused = gate(image, text: text)
  }
}
