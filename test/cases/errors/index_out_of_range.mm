# Reading the class token at position 50 of a 50-token sequence (positions are 0..49).
# expect: MM4013 at 7:25

head ClsHead(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  forward(tokens: [B, 50, width]) -> [B, classes] {
    let cls = tokens[:, 50]
    return linear(cls, weight)
  }
}
