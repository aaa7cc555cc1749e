import "std/nn/layers.mm"
import "std/nn/mlp.mm"

## A two-tower toy: image patches and text tokens, joined in one sequence.
model Toy(width: Int = 32) {
  patch = PatchEmbed(3, width, 8)
  tok = Embedding(100, width)
  mix = MLP(width, 4 * width)
  head = Linear(width, 10)
  input pixels: [B, 3, 32, 32]
  input ids: [B, T] int64
  forward {
    let tokens = concat([patch(pixels), tok(ids)], axis: 1)
    let h = tokens + mix(tokens)
    output logits = head(mean(h, axes: [1]))
  }
}
