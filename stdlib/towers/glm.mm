# ChatGLM-6B (THUDM, 2023; GLM: Du et al., 2022): a GLM decoder with 28 layers of width 4096,
# 32 heads of 128, a GELU (tanh approximation) FFN of 16384, biases everywhere, LayerNorm eps
# 1e-5, vocabulary 130528, and an untied `lm_head`. Two things differ from GPT-style layers:
#   - 2D rotary positions: each head's 128 dims are two halves of 64; the first half rotates
#     by the token's position, the second by its block position (0 inside the prompt,
#     1, 2, ... in the generated span), each with rotary base 10000 over 64 dims.
#   - DeepNorm-style residuals (GLM-130B): the residual branch is the *normalized* input
#     scaled by alpha = sqrt(2 * layers): h = a * alpha + attn(a), a = input_layernorm(x);
#     out = m * alpha + mlp(m), m = post_attention_layernorm(h).
# The query-key-value projection is one Linear whose output is laid out per head as
# [heads, 3 * head_dim] (q, k, v of a head side by side). The attention mask is GLM's
# prefix mask: the prompt attends bidirectionally, the answer causally; it is an input here
# (bool, true where a query may attend to a key).
#
# Names are THUDM's (the `chatglm-6b` Hugging Face repository, and SwissArmyTransformer's
# ChatGLMModel that VisualGLM is trained with): transformer.{word_embeddings,
# layers.N.{input_layernorm, attention.{query_key_value, dense}, post_attention_layernorm,
# mlp.{dense_h_to_4h, dense_4h_to_h}}, final_layernorm}, lm_head. SAT keeps the head at
# `mixins.chatglm-final.lm_head`. The "6B" (6.2B) of ChatGLM-6B counts the word embeddings
# once; with the untied lm_head the checkpoint holds 6.71B.

import "std/nn/layers.mm"

## Rotary embedding over `dim` dims at the given integer positions, in the rotate-half
## layout (THUDM's `RotaryEmbedding` with `apply_rotary_pos_emb_index`).
block GLMRotary(dim: Int, base: Float = 10000.0) where dim % 2 == 0 {
  forward(x: [B, H, T, dim], positions: [B, T] int64) -> [B, H, T, dim] {
    let inv_freq = 1.0 / base ** (cast(arange(dim / 2), "float32") * 2.0 / dim)
    let freqs = unsqueeze(cast(positions, "float32"), -1) * inv_freq
    let angles = unsqueeze(concat([freqs, freqs], axis: -1), 1)
    let (x1, x2) = split(x, [dim / 2, dim / 2], axis: -1)
    return x * cos(angles) + concat([-x2, x1], axis: -1) * sin(angles)
  }
}

## GLM's self-attention with 2D rotary positions (THUDM `SelfAttention`).
block GLMSelfAttention(width: Int, heads: Int) where width % heads == 0, (width / heads) % 4 == 0 {
  let head_dim = width / heads
  query_key_value = Linear(width, 3 * width)
  rotary_emb = GLMRotary(head_dim / 2)
  dense = Linear(width, width)
  forward(x: [B, T, width], position_ids: [B, T] int64, block_position_ids: [B, T] int64,
          mask: [B, 1, T, T] bool) -> [B, T, width] {
    let qkv = permute(reshape(query_key_value(x), [B, T, heads, 3 * head_dim]), [0, 2, 1, 3])
    let (q, k, v) = split(qkv, [head_dim, head_dim, head_dim], axis: -1)
    let (q1, q2) = split(q, [head_dim / 2, head_dim / 2], axis: -1)
    let (k1, k2) = split(k, [head_dim / 2, head_dim / 2], axis: -1)
    q = concat([rotary_emb(q1, position_ids), rotary_emb(q2, block_position_ids)], axis: -1)
    k = concat([rotary_emb(k1, position_ids), rotary_emb(k2, block_position_ids)], axis: -1)
    let y = scaled_dot_product(q, k, v, mask: mask)
    return dense(reshape(permute(y, [0, 2, 1, 3]), [B, T, width]))
  }
}

block GLMMLP(width: Int, hidden: Int) {
  dense_h_to_4h = Linear(width, hidden)
  dense_4h_to_h = Linear(hidden, width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return dense_4h_to_h(gelu(dense_h_to_4h(x), approximate: "tanh"))
  }
}

## A GLM layer (THUDM `GLMBlock`) in a stack of `depth` layers (which sets alpha).
block GLMBlock(width: Int, heads: Int, hidden: Int, depth: Int, eps: Float) {
  let alpha = sqrt(2.0 * depth)
  input_layernorm = LayerNorm(width, eps: eps)
  attention = GLMSelfAttention(width, heads)
  post_attention_layernorm = LayerNorm(width, eps: eps)
  mlp = GLMMLP(width, hidden)
  forward(x: [B, T, width], position_ids: [B, T] int64, block_position_ids: [B, T] int64,
          mask: [B, 1, T, T] bool) -> [B, T, width] {
    let a = input_layernorm(x)
    let h = a * alpha + attention(a, position_ids, block_position_ids, mask)
    let m = post_attention_layernorm(h)
    return m * alpha + mlp(m)
  }
}

## The ChatGLM-6B transformer (THUDM `ChatGLMModel`, the `transformer` of the checkpoint).
## It takes embeddings, so that VisualGLM can put its image tokens in the prompt.
tower ChatGLMModel(vocab: Int = 130528, width: Int = 4096, depth: Int = 28, heads: Int = 32,
                   hidden: Int = 16384, eps: Float = 1e-5)
  where width % heads == 0 {
  word_embeddings = Embedding(vocab, width)
  layers = repeat depth GLMBlock(width, heads, hidden, depth, eps)
  final_layernorm = LayerNorm(width, eps: eps)
  forward(inputs_embeds: [B, T, width], position_ids: [B, T] int64, block_position_ids: [B, T] int64,
          mask: [B, 1, T, T] bool) -> [B, T, width] {
    let x = inputs_embeds
    for layer in layers {
      x = layer(x, position_ids, block_position_ids, mask)
    }
    return final_layernorm(x)
  }
}

## ChatGLM-6B with its untied head (THUDM `ChatGLMForConditionalGeneration`).
tower ChatGLMForConditionalGeneration(vocab: Int = 130528, width: Int = 4096, depth: Int = 28,
                                      heads: Int = 32, hidden: Int = 16384, eps: Float = 1e-5) {
  transformer = ChatGLMModel(vocab, width, depth, heads, hidden, eps)
  lm_head = Linear(width, vocab, bias: false)
  forward(input_ids: [B, T] int64, position_ids: [B, T] int64, block_position_ids: [B, T] int64,
          mask: [B, 1, T, T] bool) -> [B, T, vocab] {
    return lm_head(transformer(transformer.word_embeddings(input_ids), position_ids, block_position_ids, mask))
  }
}
