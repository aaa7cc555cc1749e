# T5 v1.1 and Flan-T5 (Raffel et al., 2020; Chung et al., 2022): an encoder-decoder
# transformer with pre-RMSNorm layers (T5's LayerNorm has a scale, no bias, no centring), no
# biases, unscaled attention scores with a learned relative position bias, and the gated-gelu
# feed-forward of v1.1 (wo(gelu_tanh(wi_0 x) * wi_1 x)). The relative position bias is a
# table of 32 buckets per head, held by the first block of each stack and shared by all its
# blocks; the buckets (exact for distances below 8, logarithmic up to 128, signed in the
# encoder, causal in the decoder) are computed here with ops. Flan-T5-XL: vocabulary 32128,
# width 2048, 24 + 24 layers of 32 heads of 64, FFN 5120, untied `lm_head`.
#
# Names are Hugging Face's `T5ForConditionalGeneration`: shared, {encoder,decoder}.block.N.
# layer.0.{SelfAttention.{q,k,v,o}, layer_norm}, block.0.layer.0.SelfAttention.
# relative_attention_bias, decoder.block.N.layer.1.{EncDecAttention.{q,k,v,o}, layer_norm},
# block.N.layer.{1 or 2}.{DenseReluDense.{wi_0,wi_1,wo}, layer_norm}, {encoder,decoder}.
# final_layer_norm, lm_head. Exception: `encoder.embed_tokens` and `decoder.embed_tokens` are
# HF's aliases of `shared` (one tensor) and are not declared. HF's `layer` is a list of
# different sublayers; here it is a repeat stack of `T5LayerSlot`s whose index decides what
# the slot holds, which gives the same paths.

import "std/nn/layers.mm"

## T5's attention (HF `T5Attention`): q, k, v, o without biases, inner width heads * d_kv,
## scores not divided by sqrt(d_kv); `bias` (float, [1, heads, T, S]) is added to them. The
## self-attention of a stack's first block holds the relative position table.
block T5Attention(width: Int, heads: Int, d_kv: Int, relative: Bool = false, buckets: Int = 32) {
  let inner = heads * d_kv
  q = Linear(width, inner, bias: false)
  k = Linear(width, inner, bias: false)
  v = Linear(width, inner, bias: false)
  o = Linear(inner, width, bias: false)
  relative_attention_bias = Embedding(buckets, heads) if relative
  forward(x: [B, T, width], context: [B, S, width] = none, bias: [...] = none, causal: Bool = false)
    -> [B, T, width] {
    let kv = if context == none then x else context
    return o(attention(q(x), k(kv), v(kv), mask: bias, heads: heads, causal: causal, scale: 1.0))
  }
}

## v1.1's gated feed-forward (HF `T5DenseGatedActDense`, `gelu_new`).
block T5DenseGatedActDense(width: Int, d_ff: Int) {
  wi_0 = Linear(width, d_ff, bias: false)
  wi_1 = Linear(width, d_ff, bias: false)
  wo = Linear(d_ff, width, bias: false)
  forward(x: [B, T, width]) -> [B, T, width] {
    return wo(gelu(wi_0(x), approximate: "tanh") * wi_1(x))
  }
}

## One entry of a block's `layer` list: kind 0 is the self-attention (HF `T5LayerSelfAttention`),
## 1 the decoder's cross-attention (`T5LayerCrossAttention`), 2 the feed-forward
## (`T5LayerFF`); each is a pre-norm residual.
block T5LayerSlot(kind: Int, width: Int, d_ff: Int, heads: Int, d_kv: Int, relative: Bool, buckets: Int,
                  eps: Float) {
  SelfAttention = T5Attention(width, heads, d_kv, relative: relative, buckets: buckets) if kind == 0
  EncDecAttention = T5Attention(width, heads, d_kv) if kind == 1
  DenseReluDense = T5DenseGatedActDense(width, d_ff) if kind == 2
  layer_norm = RMSNorm(width, eps: eps)
  forward(x: [B, T, width], bias: [1, heads, T, T], context: [B, S, width] = none, causal: Bool = false)
    -> [B, T, width] {
    if kind == 0 {
      return x + SelfAttention(layer_norm(x), bias: bias, causal: causal)
    }
    if kind == 1 {
      return x + EncDecAttention(layer_norm(x), context: context)
    }
    return x + DenseReluDense(layer_norm(x))
  }
}

## An encoder block (self-attention, FFN) or a decoder block (self-attention,
## cross-attention, FFN).
block T5Block(decoder: Bool, relative: Bool, width: Int, d_ff: Int, heads: Int, d_kv: Int, buckets: Int,
              eps: Float) {
  let slots = if decoder then 3 else 2
  layer = repeat slots as j T5LayerSlot(if decoder then j else 2 * j, width, d_ff, heads, d_kv,
                                        relative && j == 0, buckets, eps)
  forward(x: [B, T, width], bias: [1, heads, T, T], context: [B, S, width] = none) -> [B, T, width] {
    for l in layer {
      x = l(x, bias, context: context, causal: decoder)
    }
    return x
  }
}

## A stack of blocks with a final norm (HF `T5Stack`). The relative position bias is computed
## once, from block 0's table, and added in every block.
block T5Stack(decoder: Bool, width: Int, depth: Int, d_ff: Int, heads: Int, d_kv: Int, buckets: Int,
              max_distance: Int, eps: Float) {
  block = repeat depth as i T5Block(decoder, i == 0, width, d_ff, heads, d_kv, buckets, eps)
  final_layer_norm = RMSNorm(width, eps: eps)
  forward(inputs_embeds: [B, T, width], context: [B, S, width] = none) -> [B, T, width] {
    # relative position (key - query) of every pair, and its bucket (HF `_relative_position_bucket`)
    let relative = unsqueeze(arange(T), 0) - unsqueeze(arange(T), 1)
    let n = if decoder then buckets else buckets / 2
    let exact = n / 2
    let side = if decoder then zeros([T, T], dtype: "int64") else cast(gt(relative, 0), "int64") * n
    let distance = if decoder then maximum(-relative, 0) else abs(relative)
    let log_bucket = exact + cast(log(cast(distance, "float32") / exact) / log(float(max_distance) / exact)
                                  * (n - exact), "int64")
    let bucket = side + where(lt(distance, exact), distance, minimum(log_bucket, n - 1))
    let table = block[0].layer[0].SelfAttention.relative_attention_bias.weight
    let bias = unsqueeze(permute(embedding(bucket, table), [2, 0, 1]), 0)
    let x = inputs_embeds
    for b in block {
      x = b(x, bias, context: context)
    }
    return final_layer_norm(x)
  }
}

## T5 with its language-model head (HF `T5ForConditionalGeneration`), Flan-T5-XL by default.
## The encoder takes embeddings (`shared` embeds words), so that BLIP-2 can put its projected
## queries in front of the text; the decoder embeds its own input ids with `shared`.
tower T5ForConditionalGeneration(vocab: Int = 32128, width: Int = 2048, depth: Int = 24,
                                 decoder_depth: Int = depth, d_ff: Int = 5120, heads: Int = 32,
                                 d_kv: Int = 64, buckets: Int = 32, max_distance: Int = 128,
                                 eps: Float = 1e-6) {
  shared = Embedding(vocab, width)
  encoder = T5Stack(false, width, depth, d_ff, heads, d_kv, buckets, max_distance, eps)
  decoder = T5Stack(true, width, decoder_depth, d_ff, heads, d_kv, buckets, max_distance, eps)
  lm_head = Linear(width, vocab, bias: false)
  forward(inputs_embeds: [B, T, width], decoder_input_ids: [B, D] int64)
    -> (logits: [B, D, vocab], encoder_hidden_states: [B, T, width]) {
    let enc = encoder(inputs_embeds)
    encoder_hidden_states = enc
    logits = lm_head(decoder(shared(decoder_input_ids), context: enc))
  }
}
