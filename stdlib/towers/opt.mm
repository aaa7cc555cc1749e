# OPT (Zhang et al., 2022): a decoder-only transformer with pre-LN layers, ReLU feed-forwards,
# biases everywhere, and learned position embeddings offset by 2 (OPT reserves the first two
# rows: position p reads row p + 2). OPT-2.7B: vocabulary 50272, width 2560, 32 layers of 32
# heads, FFN 10240, 2048 positions; `word_embed_proj_dim` equals the width, so there is no
# project_in/project_out.
#
# Names are Hugging Face's `OPTForCausalLM`: model.decoder.{embed_tokens, embed_positions,
# layers.N.{self_attn.{q_proj,k_proj,v_proj,out_proj}, self_attn_layer_norm, fc1, fc2,
# final_layer_norm}, final_layer_norm}. Exception: `lm_head.weight` is tied to
# model.decoder.embed_tokens.weight (HF ties them and saves one tensor); here the head reads
# the embedding table, so there is no separate `lm_head` parameter.

import "std/nn/layers.mm"
import "std/nn/attention.mm"

## Learned positions with OPT's offset of 2 (HF `OPTLearnedPositionalEmbedding`): a table of
## positions + 2 rows; position p reads row p + 2.
block OPTLearnedPositionalEmbedding(positions: Int, width: Int) {
  let offset = 2
  param weight: [positions + offset, width] init normal(std: 0.02)
  forward(position_ids: [B, T] int64) -> [B, T, width] {
    return embedding(position_ids + offset, weight)
  }
}

block OPTDecoderLayer(width: Int, heads: Int, hidden: Int) {
  self_attn = Attention(width, heads)
  self_attn_layer_norm = LayerNorm(width)
  fc1 = Linear(width, hidden)
  fc2 = Linear(hidden, width)
  final_layer_norm = LayerNorm(width)
  forward(x: [B, T, width]) -> [B, T, width] {
    x = x + self_attn(self_attn_layer_norm(x), causal: true)
    return x + fc2(relu(fc1(final_layer_norm(x))))
  }
}

block OPTDecoder(vocab: Int, width: Int, depth: Int, heads: Int, hidden: Int, positions: Int) {
  embed_tokens = Embedding(vocab, width)
  embed_positions = OPTLearnedPositionalEmbedding(positions, width)
  layers = repeat depth OPTDecoderLayer(width, heads, hidden)
  final_layer_norm = LayerNorm(width)
  forward(inputs_embeds: [B, T, width]) -> [B, T, width] {
    let position_ids = expand(unsqueeze(arange(T), 0), [B, T])
    return final_layer_norm(layers(inputs_embeds + embed_positions(position_ids)))
  }
}

block OPTModel(vocab: Int, width: Int, depth: Int, heads: Int, hidden: Int, positions: Int) {
  decoder = OPTDecoder(vocab, width, depth, heads, hidden, positions)
  forward(inputs_embeds: [B, T, width]) -> [B, T, width] {
    return decoder(inputs_embeds)
  }
}

## OPT with its language-model head (HF `OPTForCausalLM`), OPT-2.7B by default. It takes
## embeddings (`model.decoder.embed_tokens` embeds words), so that BLIP-2 can put its
## projected queries in front of the text.
tower OPTForCausalLM(vocab: Int = 50272, width: Int = 2560, depth: Int = 32, heads: Int = 32,
                     hidden: Int = 10240, positions: Int = 2048)
  where width % heads == 0 {
  model = OPTModel(vocab, width, depth, heads, hidden, positions)
  forward(inputs_embeds: [B, T, width]) -> (logits: [B, T, vocab], hidden_states: [B, T, width]) {
    let h = model(inputs_embeds)
    hidden_states = h
    logits = h @ model.decoder.embed_tokens.weight.T
  }
}
