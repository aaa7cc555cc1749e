enum Act { gelu, relu }

block FeedForward(width: Int = 64, act: Activation = Act.gelu) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, width]) -> [B, width] {
    return if act == Act.gelu then gelu(linear(x, w)) else relu(linear(x, w))
  }
}
