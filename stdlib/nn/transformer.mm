import "std/nn/layers.mm"
import "std/nn/mlp.mm"
import "std/nn/attention.mm"

## A pre-LN transformer encoder layer (Hugging Face CLIP naming).
block EncoderLayer(width: Int, heads: Int, hidden: Int = 4 * width, act: Act = Act.gelu, eps: Float = 1e-5) {
  layer_norm1 = LayerNorm(width, eps: eps)
  self_attn = Attention(width, heads)
  layer_norm2 = LayerNorm(width, eps: eps)
  mlp = MLP(width, hidden, act: act)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    x = x + self_attn(layer_norm1(x), causal: causal)
    return x + mlp(layer_norm2(x))
  }
}

## A pre-LN layer with cross-attention into another sequence between self-attention and MLP.
block CrossEncoderLayer(width: Int, heads: Int, kv_width: Int = width, hidden: Int = 4 * width, eps: Float = 1e-5) {
  layer_norm1 = LayerNorm(width, eps: eps)
  self_attn = Attention(width, heads)
  layer_norm_cross = LayerNorm(width, eps: eps)
  cross_attn = Attention(width, heads, kv_width: kv_width)
  layer_norm2 = LayerNorm(width, eps: eps)
  mlp = MLP(width, hidden)
  forward(x: [B, T, width], context: [B, S, kv_width]) -> [B, T, width] {
    x = x + self_attn(layer_norm1(x))
    x = x + cross_attn(layer_norm_cross(x), context: context)
    return x + mlp(layer_norm2(x))
  }
}

## A stack of encoder layers with a final norm.
block Encoder(width: Int, depth: Int, heads: Int, hidden: Int = 4 * width, act: Act = Act.gelu, eps: Float = 1e-5) {
  layers = repeat depth EncoderLayer(width, heads, hidden: hidden, act: act, eps: eps)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    return layers(x, causal: causal)
  }
}
