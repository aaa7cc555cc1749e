# A parameter whose type is neither a built-in type nor a declared enum.
# expect: MM2008 at 6:60

enum Act { gelu, relu, silu }

block FeedForward(width: Int = 64, hidden: Int = 256, act: Activation = Act.gelu) {
  param w1: [hidden, width] init xavier_uniform
  param w2: [width, hidden] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return linear(gelu(linear(x, w1)), w2)
  }
}
