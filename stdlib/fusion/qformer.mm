# The Q-Former of BLIP-2 (Li et al., 2023): a BERT-base encoder (12 post-LN layers, width 768,
# 12 heads, gelu, eps 1e-12) run over a set of learned query tokens (32 in BLIP-2); every
# other layer (0, 2, 4, ...) has a cross-attention from the queries into the frozen image
# encoder's tokens (keys and values of width 1408 for EVA ViT-g). Queries and text share the
# self-attention but have their own feed-forward: `intermediate_query`/`output_query` for the
# queries, `intermediate`/`output` for text tokens.
#
# The layers are BERT's (std/fusion/cross_attention.mm's `BertAttention`, std/towers/bert.mm's
# `BertIntermediate` and `BertOutput`), so mm's names are LAVIS's (`Qformer.bert.*`:
# encoder.layer.N.{attention,crossattention}.{self.{query,key,value}, output.{dense,LayerNorm}},
# intermediate.dense, output.{dense,LayerNorm}, intermediate_query.dense,
# output_query.{dense,LayerNorm}); the layers' `hf_blip` layout gives Hugging Face's
# `Blip2QFormerModel` and `InstructBlipQFormerModel` names (`attention.attention.query` for
# `attention.self.query`; InstructBLIP's encoder sits behind `embeddings.{word_embeddings,
# position_embeddings,layernorm}`), the ones the models using it load by default.
#
# The text feed-forward (`text: true`) exists where text enters the Q-Former: stage-1
# pretraining (ITC/ITM/ITG) and InstructBLIP. The released BLIP-2 language models drop it
# (LAVIS sets `layer.intermediate = None`, HF's `use_qformer_text_input` is false), and so do
# MiniGPT-4 and VisualGLM.
#
# A call says how many of its leading tokens are queries (`queries`, HF's `query_length`):
# all of them (T: self-attention, cross-attention, query FFN), none (0: text only, under
# `mask`, with the text FFN; the unimodal text encoder of ITC), or some (queries followed by
# text: one self-attention over both under `mask`, then cross-attention and the query FFN for
# the queries and the text FFN for the text; ITM, ITG and InstructBLIP's instruction-aware
# queries). Masks are bool, true where a token may attend, broadcastable to [B, heads, T, T].

import "std/nn/layers.mm"
import { BertAttention } from "std/fusion/cross_attention.mm"
import { BertIntermediate, BertOutput } from "std/towers/bert.mm"

## One Q-Former layer (HF `Blip2QFormerLayer`).
block QFormerLayer(width: Int, heads: Int, hidden: Int, kv_width: Int, cross: Bool, text: Bool,
                   eps: Float) {
  attention = BertAttention(width, heads, eps: eps)
  crossattention = BertAttention(width, heads, kv_width: kv_width, eps: eps) if cross
  intermediate = BertIntermediate(width, hidden) if text
  output = BertOutput(hidden, width, eps: eps) if text
  intermediate_query = BertIntermediate(width, hidden)
  output_query = BertOutput(hidden, width, eps: eps)
  forward(x: [B, T, width], queries: Int, image: [B, S, kv_width] = none, mask: [...] bool = none)
    -> [B, T, width] {
    let h = attention(x, mask: mask)
    if queries == T {
      if cross {
        h = crossattention(h, context: image)
      }
      return output_query(intermediate_query(h), h)
    }
    if queries == 0 {
      return output(intermediate(h), h)
    }
    let q = h[:, 0:queries]
    let t = h[:, queries:]
    if cross {
      q = crossattention(q, context: image)
    }
    return concat([output_query(intermediate_query(q), q), output(intermediate(t), t)], axis: 1)
  }

  # Hugging Face's `Blip2QFormerLayer` calls the attention's `self` `attention`.
  layout hf_blip {
    "attention.self.**": "attention.attention.**"
    "crossattention.self.**": "crossattention.attention.**"
  }
}

## The layer stack; layer i has a cross-attention when i % cross_every == 0.
block QFormerEncoder(width: Int, depth: Int, heads: Int, hidden: Int, kv_width: Int, cross_every: Int,
                     text: Bool, eps: Float) {
  layer = repeat depth as i QFormerLayer(width, heads, hidden, kv_width, cross: i % cross_every == 0,
                                         text: text, eps: eps)
  forward(x: [B, T, width], queries: Int, image: [B, S, kv_width] = none, mask: [...] bool = none)
    -> [B, T, width] {
    for l in layer {
      x = l(x, queries, image: image, mask: mask)
    }
    return x
  }
}

## BLIP-2's Q-Former (HF `Blip2QFormerModel`): a LayerNorm over the input embeddings (the
## query tokens, or queries and text embeddings), then the encoder. The query tokens
## themselves belong to the model (`query_tokens`), as in HF.
fusion Blip2QFormerModel(width: Int = 768, depth: Int = 12, heads: Int = 12, hidden: Int = 3072,
                         kv_width: Int = 1408, cross_every: Int = 2, text: Bool = false,
                         eps: Float = 1e-12)
  where width % heads == 0 {
  layernorm = LayerNorm(width, eps: eps)
  encoder = QFormerEncoder(width, depth, heads, hidden, kv_width, cross_every, text, eps)
  forward(embeds: [B, T, width], queries: Int, image: [B, S, kv_width] = none, mask: [...] bool = none)
    -> [B, T, width] {
    return encoder(layernorm(embeds), queries, image: image, mask: mask)
  }
}

## Word and learned position embeddings of the Q-Former's text (HF `Blip2TextEmbeddings`:
## BERT's vocabulary plus the [DEC] token, 30523; 512 positions). Blip2QFormerModel's
## `layernorm` normalizes them.
block Blip2TextEmbeddings(vocab: Int = 30523, positions: Int = 512, width: Int = 768) {
  word_embeddings = Embedding(vocab, width)
  position_embeddings = Embedding(positions, width)
  forward(input_ids: [B, L] int64) -> [B, L, width] {
    return word_embeddings(input_ids) + position_embeddings(arange(L))
  }
}

## InstructBLIP's embeddings (HF `InstructBlipQFormerEmbeddings`): the query tokens followed
## by the embedded instruction, normalized together.
block InstructBlipQFormerEmbeddings(vocab: Int, positions: Int, width: Int, eps: Float) {
  word_embeddings = Embedding(vocab, width)
  position_embeddings = Embedding(positions, width)
  layernorm = LayerNorm(width, eps: eps)
  forward(input_ids: [B, L] int64, query_embeds: [B, Q, width]) -> [B, Q + L, width] {
    let text = word_embeddings(input_ids) + position_embeddings(arange(L))
    return layernorm(concat([query_embeds, text], axis: 1))
  }
}

## The instruction-aware Q-Former of InstructBLIP (HF `InstructBlipQFormerModel`): the
## instruction's tokens enter the self-attention together with the `queries` query tokens
## (HF `num_query_tokens`; the tokens themselves are the model's), so that the queries
## extract the image features the instruction asks for. The output is the whole sequence; the
## model keeps the query tokens.
fusion InstructBlipQFormerModel(queries: Int = 32, width: Int = 768, depth: Int = 12, heads: Int = 12,
                                hidden: Int = 3072, kv_width: Int = 1408, cross_every: Int = 2,
                                vocab: Int = 30523, positions: Int = 512, eps: Float = 1e-12)
  where width % heads == 0 {
  embeddings = InstructBlipQFormerEmbeddings(vocab, positions, width, eps)
  encoder = QFormerEncoder(width, depth, heads, hidden, kv_width, cross_every, true, eps)
  forward(input_ids: [B, L] int64, query_embeds: [B, queries, width], image: [B, S, kv_width],
          mask: [...] bool = none) -> [B, queries + L, width] {
    let x = embeddings(input_ids, query_embeds)
    return encoder(x, queries, image: image, mask: mask)
  }
}
