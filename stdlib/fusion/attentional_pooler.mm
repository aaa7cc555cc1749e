# Attentional pooling (CoCa, Yu et al., 2022): learned queries cross-attend to a tower's
# tokens and return a fixed number of tokens, one per query. CoCa pools its image encoder
# twice: 256 queries for the captioning decoder, 1 query for the contrastive embedding.
#
# Names follow OpenCLIP's `AttentionalPooler` (query, attn, ln_q, ln_k), whose attention is
# PyTorch's `nn.MultiheadAttention` (std/nn/attention.mm's `MultiheadAttention`, with that
# module's exact parameter layout).

import "std/nn/layers.mm"
import { MultiheadAttention } from "std/nn/attention.mm"

## `queries` learned tokens attend to the (layer-normed) context tokens; the output has one
## token per query, of the query width.
fusion AttentionalPooler(width: Int, context_width: Int = width, heads: Int = 8, queries: Int = 256) {
  param query: [queries, width] init normal(std: 1.0)
  attn = MultiheadAttention(width, heads, kv_width: context_width)
  ln_q = LayerNorm(width)
  ln_k = LayerNorm(context_width)

  forward(x: [B, N, context_width]) -> [B, queries, width] {
    let q = expand(unsqueeze(ln_q(query), 0), [B, queries, width])
    return attn(q, context: ln_k(x))
  }
}
