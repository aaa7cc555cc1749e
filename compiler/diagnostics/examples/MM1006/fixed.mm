# Generated code nested 201 brackets deep.
block Scale(s: Float = 2.0) {
  forward(x: [B, 4]) -> [B, 4] {
    return x * (s)
  }
}
