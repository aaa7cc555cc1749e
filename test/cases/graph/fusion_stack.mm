# A stack of fusion blocks (each layer lets text attend to image tokens) under a head that
# reads the first token: the stack is drawn in fusion's colour, and the edge into the head
# carries the sliced [B, width], not the stack's [B, T, width]. Used by test/golden/graph.test.ts.
import "std/nn/layers.mm"
import "std/nn/transformer.mm"

## One layer of cross-attention fusion.
fusion CrossLayer(width: Int, heads: Int) {
  layer = CrossEncoderLayer(width, heads, kv_width: width)
  forward(text: [B, T, width], image: [B, N, width]) -> [B, T, width] {
    return layer(text, image)
  }
}

model FusionStack(width: Int = 32, depth: Int = 3) {
  image = Linear(48, width)
  text = Embedding(100, width)
  fusion = repeat depth CrossLayer(width, 4)
  head = Linear(width, 2)
  input patches: [B, 16, 48]
  input tokens: [B, 8] int64
  forward {
    let img = image(patches)
    let t = text(tokens)
    for layer in fusion {
      t = layer(t, img)
    }
    output logits = head(t[:, 0])
  }
}
