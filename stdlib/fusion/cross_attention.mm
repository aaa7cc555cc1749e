# Cross-attention fusion in BERT's layout (Hugging Face `BertAttention` with
# `is_cross_attention`): the text's hidden states are the queries, another modality's tokens
# the keys and values, followed by a dense layer, a residual and a post-LN LayerNorm.
# ALBEF and TCL (the top 6 layers of their BERT), BLIP's image-grounded text encoder and the
# Q-Former use this block under the name `crossattention`.
#
# Its parts are also BERT's self-attention (keys and values from the text itself):
# `BertAttention` below is either, and BERT, BLIP's text towers and the Q-Former use it.

import { Linear, LayerNorm } from "std/nn/layers.mm"

## Queries from `x`, keys and values from `context` (or from `x` when there is none), named
## `query`, `key`, `value` (HF `BertSelfAttention`). `mask` (true where a key may be attended)
## broadcasts to [B, heads, T, S]: a padding mask is [B, 1, 1, S]; `causal` hides later keys.
block BertSelfAttention(width: Int, heads: Int, kv_width: Int = width) where width % heads == 0 {
  query = Linear(width, width)
  key = Linear(kv_width, width)
  value = Linear(kv_width, width)
  forward(x: [B, T, width], context: [B, S, kv_width] = none, mask: [...] bool = none,
          causal: Bool = false) -> [B, T, width] {
    let kv = if context == none then x else context
    return attention(query(x), key(kv), value(kv), mask: mask, heads: heads, causal: causal)
  }
}

## HF `BertSelfOutput`: dense, then LayerNorm of the sum with the residual (post-LN).
block BertSelfOutput(width: Int, eps: Float = 1e-12) {
  dense = Linear(width, width)
  LayerNorm = LayerNorm(width, eps: eps)
  forward(x: [B, T, width], residual: [B, T, width]) -> [B, T, width] {
    return LayerNorm(dense(x) + residual)
  }
}

## HF `BertAttention`: `self` (query, key, value) and `output` (dense, LayerNorm), the residual
## included; keys and values from `context` (of `kv_width`) make it a cross-attention. BERT,
## BLIP's text encoder and decoder, and the Q-Former (whose `hf_blip` names call `self`
## `attention`) are built from it.
block BertAttention(width: Int, heads: Int, kv_width: Int = width, eps: Float = 1e-12) {
  self = BertSelfAttention(width, heads, kv_width: kv_width)
  output = BertSelfOutput(width, eps: eps)
  forward(x: [B, T, width], context: [B, S, kv_width] = none, mask: [...] bool = none,
          causal: Bool = false) -> [B, T, width] {
    return output(self(x, context: context, mask: mask, causal: causal), x)
  }
}

## Text attends to another modality's tokens (`encoder_width` wide): the fusion step of
## ALBEF-style models. Parameters: crossattention.self.{query,key,value},
## crossattention.output.{dense,LayerNorm}. `mask` [B, S] is nonzero where a key may be
## attended (HF's `encoder_attention_mask`).
fusion BertCrossAttention(width: Int, heads: Int, encoder_width: Int = width, eps: Float = 1e-12) {
  self = BertSelfAttention(width, heads, kv_width: encoder_width)
  output = BertSelfOutput(width, eps: eps)
  forward(x: [B, T, width], context: [B, S, encoder_width], mask: [B, S] = none) -> [B, T, width] {
    let keep = if mask == none then none else reshape(ne(mask, 0), [B, 1, 1, S])
    return output(self(x, context: context, mask: keep), x)
  }
}
