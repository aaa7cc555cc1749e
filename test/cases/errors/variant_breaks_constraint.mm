# A variant override that breaks a `where` constraint is reported at the override.
# expect: MM3005 at 19:13
block Heads(width: Int, heads: Int) where width % heads == 0 {
  param scale: [width] init ones
  forward(x: [B, width]) -> [B, width] {
    return x * scale
  }
}

model Base(width: Int = 64) {
  h = Heads(width, 8)
  input x: [B, width]
  forward {
    output y: [B, width] = h(x)
  }
}

model Wide = Base with {
  h.width = 100
}
