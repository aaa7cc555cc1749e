# A block with two parameters of one name.
# expect: MM2002 at 4:25

block Scale(width: Int, width: Int) {
  forward(x: [B, width]) -> [B, width] { return x * 2.0 }
}
