# A layout rule's two sides must capture the same wildcards: `layers.*` has one, the
# checkpoint key none, so mm could not say which block a key belongs to.
block Layer(width: Int = 8) {
  param weight: [width, width] init xavier_uniform
  forward(x: [B, width]) -> [B, width] {
    return x @ weight.T
  }
}

model Stack(width: Int = 8) {
  layers = repeat 2 Layer(width)
  input x: [B, width]
  forward {
    let h = x
    for layer in layers { h = layer(h) }
    output y = h
  }

  layout original {
    "layers.*.weight": "blocks.weight"
  }
}
