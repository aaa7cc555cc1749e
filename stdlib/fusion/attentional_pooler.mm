# Attentional pooling (CoCa, Yu et al., 2022): learned queries cross-attend to a tower's
# tokens and return a fixed number of tokens, one per query. CoCa pools its image encoder
# twice: 256 queries for the captioning decoder, 1 query for the contrastive embedding.
#
# Names follow OpenCLIP's `AttentionalPooler` (query, attn, ln_q, ln_k), whose attention is
# PyTorch's `nn.MultiheadAttention`; `MultiheadAttention` below has that module's exact
# parameter layout, so that checkpoints of OpenCLIP, ImageBind and other PyTorch code that
# uses it map one to one.

import "std/nn/layers.mm"

## PyTorch's `nn.MultiheadAttention`: one packed `in_proj_weight` [3 * width, width] when
## keys and values have the query's width, else `q_proj_weight`, `k_proj_weight`,
## `v_proj_weight`; `in_proj_bias` and `out_proj`. With `add_bias_kv`, learned `bias_k`
## and `bias_v` are appended to the keys and values as one extra position. `mask` [B, S]
## (true = attend) masks keys, as PyTorch's `key_padding_mask` negated (not with add_bias_kv).
block MultiheadAttention(width: Int, heads: Int, kv_width: Int = width, bias: Bool = true,
                         add_bias_kv: Bool = false)
  where width % heads == 0 {
  let packed = kv_width == width
  param in_proj_weight: [3 * width, width] init xavier_uniform if packed
  param q_proj_weight: [width, width] init xavier_uniform if !packed
  param k_proj_weight: [width, kv_width] init xavier_uniform if !packed
  param v_proj_weight: [width, kv_width] init xavier_uniform if !packed
  param in_proj_bias: [3 * width] init zeros if bias
  param bias_k: [1, 1, width] init xavier_normal if add_bias_kv
  param bias_v: [1, 1, width] init xavier_normal if add_bias_kv
  out_proj = Linear(width, width, bias: bias)

  forward(x: [B, T, width], context: [B, S, kv_width] = none, causal: Bool = false,
          mask: [B, S] bool = none) -> [B, T, width] {
    let kv = if context == none then x else context
    let (wq, wk, wv) = if packed then split(in_proj_weight, [width, width, width], axis: 0)
                       else (q_proj_weight, k_proj_weight, v_proj_weight)
    let q = linear(x, wq)
    let k = linear(kv, wk)
    let v = linear(kv, wv)
    if bias {
      let (bq, bk, bv) = split(in_proj_bias, [width, width, width])
      q = q + bq
      k = k + bk
      v = v + bv
    }
    if add_bias_kv {
      k = concat([k, expand(bias_k, [B, 1, width])], axis: 1)
      v = concat([v, expand(bias_v, [B, 1, width])], axis: 1)
    }
    let m = if mask == none then none else reshape(mask, [B, 1, 1, S])
    return out_proj(attention(q, k, v, mask: m, heads: heads, causal: causal))
  }
}

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
