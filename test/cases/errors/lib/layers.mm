# Helper blocks for the golden error cases (not a case itself).

block Linear(in_features: Int, out_features: Int, bias: Bool = true) {
  param weight: [out_features, in_features] init kaiming_uniform
  param bias: [out_features] init zeros if bias
  forward(x: [..., in_features]) -> [..., out_features] {
    return linear(x, weight, bias)
  }
}

block LayerNorm(width: Int, eps: Float = 1e-5) {
  param weight: [width] init ones
  param bias: [width] init zeros
  forward(x: [..., width]) -> [..., width] {
    return layer_norm(x, weight, bias, eps: eps)
  }
}

block SelfAttention(width: Int, heads: Int) where width % heads == 0 {
  qkv = Linear(width, 3 * width)
  out = Linear(width, width)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    let (q, k, v) = split(qkv(x), [width, width, width], axis: -1)
    return out(attention(q, k, v, heads: heads, causal: causal))
  }
}

block MLP(width: Int, hidden: Int) {
  fc1 = Linear(width, hidden)
  fc2 = Linear(hidden, width)
  forward(x: [..., width]) -> [..., width] {
    return fc2(gelu(fc1(x)))
  }
}

block EncoderLayer(width: Int, heads: Int, mlp_ratio: Int = 4) {
  norm1 = LayerNorm(width)
  attn = SelfAttention(width, heads)
  norm2 = LayerNorm(width)
  mlp = MLP(width, width * mlp_ratio)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    x = x + attn(norm1(x), causal: causal)
    return x + mlp(norm2(x))
  }
}
