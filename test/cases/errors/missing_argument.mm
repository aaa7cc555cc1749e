# A required argument (`heads`) is not passed.
# expect: MM3002 at 9:25

import "lib/layers.mm"

fusion CrossModalEncoder(width: Int = 64, depth: Int = 2) {
  image_proj = Linear(48, width)
  text_proj = Linear(32, width)
  layers = repeat depth EncoderLayer(width)
  forward(image: [B, N, 48], text: [B, T, 32]) -> [B, N + T, width] {
    let x = concat([image_proj(image), text_proj(text)], axis: 1)
    for layer in layers {
      x = layer(x)
    }
    return x
  }
}
