# A forward with two inputs of one name.
# expect: MM2002 at 5:22

block Twice(w: Int = 4) {
  forward(x: [B, w], x: [B, w]) -> [B, w] {
    return x
  }
}
