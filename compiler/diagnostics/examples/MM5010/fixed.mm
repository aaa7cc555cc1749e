# A layout rule maps each `layers.N` to `blocks.N`: one wildcard on each side.
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
    "layers.*.weight": "blocks.*.weight"
  }
}
