# A misspelt local in a forward: the compiler suggests the local that exists.
# expect: MM2001 at 9:19

block MLPProjector(in_dim: Int = 96, width: Int = 64, hidden: Int = 256) {
  param fc1: [hidden, in_dim] init xavier_uniform
  param fc2: [width, hidden] init xavier_uniform
  forward(x: [B, T, in_dim]) -> [B, T, width] {
    let hiddens = gelu(linear(x, fc1))
    return linear(hidens, fc2)
  }
}
