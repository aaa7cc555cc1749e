import "std/nn/layers.mm"

## Multi-head attention with separate q/k/v projections (q_proj, k_proj, v_proj, out_proj).
## `kv_width` differs from `width` for cross-attention into another modality.
block Attention(width: Int, heads: Int, kv_width: Int = width, bias: Bool = true)
  where width % heads == 0 {
  q_proj = Linear(width, width, bias: bias)
  k_proj = Linear(kv_width, width, bias: bias)
  v_proj = Linear(kv_width, width, bias: bias)
  out_proj = Linear(width, width, bias: bias)
  forward(x: [B, T, width], context: [B, S, kv_width] = none, mask: [B, S] bool = none,
          causal: Bool = false) -> [B, T, width] {
    let kv = if context == none then x else context
    # a padding mask [B, S] (true = attend) broadcasts over heads and queries
    let m = if mask == none then none else reshape(mask, [B, 1, 1, S])
    let y = attention(q_proj(x), k_proj(kv), v_proj(kv), mask: m, heads: heads, causal: causal)
    return out_proj(y)
  }
}

## Multi-head self-attention with one packed projection split into q | k | v (`qkv`), and
## `proj` (timm's `Attention`; Meta-Transformer's). Its `sat` layout names them as
## SwissArmyTransformer does (`query_key_value`, `dense`: VisualGLM, CogVLM's EVA2-CLIP).
block QKVAttention(width: Int, heads: Int, bias: Bool = true) where width % heads == 0 {
  qkv = Linear(width, 3 * width, bias: bias)
  proj = Linear(width, width)
  forward(x: [B, T, width]) -> [B, T, width] {
    let (q, k, v) = split(qkv(x), [width, width, width], axis: -1)
    return proj(attention(q, k, v, heads: heads))
  }

  layout sat {
    "qkv.*": "query_key_value.*"
    "proj.*": "dense.*"
  }
}

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
