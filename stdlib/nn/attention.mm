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
