# BERT (Devlin et al., 2019) in Hugging Face's `BertModel` / `BertForMaskedLM` layout:
# embeddings.{word,position,token_type}_embeddings and embeddings.LayerNorm;
# encoder.layer.N.attention.{self.{query,key,value}, output.{dense,LayerNorm}},
# encoder.layer.N.crossattention (the same, keys and values from another modality),
# encoder.layer.N.intermediate.dense, encoder.layer.N.output.{dense,LayerNorm}; pooler.dense;
# for masked language modelling cls.predictions.{transform.{dense,LayerNorm}, bias}.
# Post-LN layers, gelu, eps 1e-12.
#
# Cross-attention follows ALBEF's `xbert.py` (which BLIP's `med.py` and the Q-Former extend):
# layers from `fusion_layer` on have `crossattention` (every `cross_every`-th of them), and
# `mode` runs part of the stack: "text" the layers below `fusion_layer`, "fusion" the layers
# from it on (their input is the text layers' output), "multi_modal" all.
#
# Exception to HF names: the MLM decoder is tied to the word embeddings, so
# `cls.predictions.decoder.weight` is not a parameter here (it is
# `bert.embeddings.word_embeddings.weight`), and `cls.predictions.decoder.bias` is the same
# tensor as `cls.predictions.bias`, as in HF's state dicts.

import { Linear, Embedding, LayerNorm } from "std/nn/layers.mm"
import { BertAttention, BertCrossAttention } from "std/fusion/cross_attention.mm"

## Word, position and token-type embeddings, summed and normalized.
block BertEmbeddings(vocab: Int, width: Int, positions: Int = 512, type_vocab: Int = 2, eps: Float = 1e-12) {
  word_embeddings = Embedding(vocab, width)
  position_embeddings = Embedding(positions, width)
  token_type_embeddings = Embedding(type_vocab, width)
  LayerNorm = LayerNorm(width, eps: eps)
  forward(input_ids: [B, T] int64, token_type_ids: [B, T] int64 = none) -> [B, T, width] {
    let types = if token_type_ids == none then zeros([B, T], dtype: "int64") else token_type_ids
    let x = word_embeddings(input_ids) + token_type_embeddings(types) + position_embeddings(arange(T))
    return LayerNorm(x)
  }
}

## HF `BertIntermediate`: dense + gelu.
block BertIntermediate(width: Int, hidden: Int) {
  dense = Linear(width, hidden)
  forward(x: [..., width]) -> [..., hidden] {
    return gelu(dense(x))
  }
}

## HF `BertOutput`: dense back to the width, residual, LayerNorm.
block BertOutput(hidden: Int, width: Int, eps: Float = 1e-12) {
  dense = Linear(hidden, width)
  LayerNorm = LayerNorm(width, eps: eps)
  forward(x: [B, T, hidden], residual: [B, T, width]) -> [B, T, width] {
    return LayerNorm(dense(x) + residual)
  }
}

## One post-LN layer; with `cross`, text attends to `encoder_hidden_states` after
## self-attention.
block BertLayer(width: Int, heads: Int, hidden: Int = 4 * width, cross: Bool = false,
                encoder_width: Int = width, eps: Float = 1e-12) {
  attention = BertAttention(width, heads, eps: eps)
  crossattention = BertCrossAttention(width, heads, encoder_width: encoder_width, eps: eps) if cross
  intermediate = BertIntermediate(width, hidden)
  output = BertOutput(hidden, width, eps: eps)
  forward(x: [B, T, width], attention_mask: [B, T] = none,
          encoder_hidden_states: [B, S, encoder_width] = none, encoder_attention_mask: [B, S] = none)
    -> [B, T, width] {
    let keep = if attention_mask == none then none else reshape(ne(attention_mask, 0), [B, 1, 1, T])
    x = attention(x, mask: keep)
    # Read on every path: layers without cross-attention would otherwise warn (MM5002).
    let (context, context_mask) = (encoder_hidden_states, encoder_attention_mask)
    if cross {
      x = crossattention(x, context, mask: context_mask)
    }
    return output(intermediate(x), x)
  }
}

## `layer.0` ... `layer.{depth-1}`; layer i has cross-attention when i >= fusion_layer and
## (i - fusion_layer) % cross_every == 0. `mode` picks the layers to run (ALBEF's modes):
## "text" those below fusion_layer, "fusion" those from it on, "multi_modal" all.
block BertEncoder(width: Int, depth: Int, heads: Int, hidden: Int = 4 * width, fusion_layer: Int = depth,
                  cross_every: Int = 1, encoder_width: Int = width, eps: Float = 1e-12) {
  layer = repeat depth as i BertLayer(width, heads, hidden: hidden,
                                      cross: i >= fusion_layer && (i - fusion_layer) % cross_every == 0,
                                      encoder_width: encoder_width, eps: eps)
  forward(x: [B, T, width], attention_mask: [B, T] = none,
          encoder_hidden_states: [B, S, encoder_width] = none, encoder_attention_mask: [B, S] = none,
          mode: String = "multi_modal")
    -> [B, T, width] {
    let start = if mode == "fusion" then fusion_layer else 0
    let stop = if mode == "text" then fusion_layer else depth
    for l in layer[start:stop] {
      x = l(x, attention_mask: attention_mask, encoder_hidden_states: encoder_hidden_states,
            encoder_attention_mask: encoder_attention_mask)
    }
    return x
  }
}

## HF `BertPooler`: tanh(dense(x[:, 0])).
block BertPooler(width: Int) {
  dense = Linear(width, width)
  forward(x: [B, T, width]) -> [B, width] {
    return tanh(dense(x[:, 0]))
  }
}

## BERT (HF `BertModel`); bert-base-uncased by default. It returns the last hidden state;
## callers that want HF's `pooler_output` apply `pooler` (present with add_pooling_layer).
## ALBEF's fusion pass starts from hidden states, not ids (its `encoder_embeds`): call
## `bert.encoder(text_embeds, ..., mode: "fusion")` for it.
tower BertModel(vocab: Int = 30_522, width: Int = 768, depth: Int = 12, heads: Int = 12,
                hidden: Int = 4 * width, positions: Int = 512, type_vocab: Int = 2,
                fusion_layer: Int = depth, cross_every: Int = 1, encoder_width: Int = width,
                add_pooling_layer: Bool = true, eps: Float = 1e-12)
  where width % heads == 0 {
  embeddings = BertEmbeddings(vocab, width, positions: positions, type_vocab: type_vocab, eps: eps)
  encoder = BertEncoder(width, depth, heads, hidden: hidden, fusion_layer: fusion_layer,
                        cross_every: cross_every, encoder_width: encoder_width, eps: eps)
  pooler = BertPooler(width) if add_pooling_layer
  forward(input_ids: [B, T] int64, attention_mask: [B, T] = none, token_type_ids: [B, T] int64 = none,
          encoder_hidden_states: [B, S, encoder_width] = none, encoder_attention_mask: [B, S] = none,
          mode: String = "multi_modal")
    -> [B, T, width] {
    return encoder(embeddings(input_ids, token_type_ids: token_type_ids), attention_mask: attention_mask,
                   encoder_hidden_states: encoder_hidden_states, encoder_attention_mask: encoder_attention_mask,
                   mode: mode)
  }
}

## HF `BertPredictionHeadTransform`: dense, gelu, LayerNorm.
block BertPredictionHeadTransform(width: Int, eps: Float = 1e-12) {
  dense = Linear(width, width)
  LayerNorm = LayerNorm(width, eps: eps)
  forward(x: [..., width]) -> [..., width] {
    return LayerNorm(gelu(dense(x)))
  }
}

## HF `BertLMPredictionHead`: the transform, then the decoder, whose weight is the word
## embedding table (passed in: tied) and whose bias is `bias`.
block BertLMPredictionHead(width: Int, vocab: Int, eps: Float = 1e-12) {
  transform = BertPredictionHeadTransform(width, eps: eps)
  param bias: [vocab] init zeros
  forward(x: [..., width], decoder_weight: [vocab, width]) -> [..., vocab] {
    return linear(transform(x), decoder_weight, bias)
  }
}

## HF `BertOnlyMLMHead`.
head BertOnlyMLMHead(width: Int, vocab: Int, eps: Float = 1e-12) {
  predictions = BertLMPredictionHead(width, vocab, eps: eps)
  forward(x: [..., width], decoder_weight: [vocab, width]) -> [..., vocab] {
    return predictions(x, decoder_weight)
  }
}

## HF `BertForMaskedLM` (no pooler): token logits over the vocabulary, decoder tied to the
## word embeddings. The arguments are BertModel's.
tower BertForMaskedLM(vocab: Int = 30_522, width: Int = 768, depth: Int = 12, heads: Int = 12,
                      hidden: Int = 4 * width, positions: Int = 512, type_vocab: Int = 2,
                      fusion_layer: Int = depth, cross_every: Int = 1, encoder_width: Int = width,
                      eps: Float = 1e-12) {
  bert = BertModel(vocab, width, depth, heads, hidden: hidden, positions: positions, type_vocab: type_vocab,
                   fusion_layer: fusion_layer, cross_every: cross_every, encoder_width: encoder_width,
                   add_pooling_layer: false, eps: eps)
  cls = BertOnlyMLMHead(width, vocab, eps: eps)
  forward(input_ids: [B, T] int64, attention_mask: [B, T] = none,
          encoder_hidden_states: [B, S, encoder_width] = none, encoder_attention_mask: [B, S] = none,
          mode: String = "multi_modal")
    -> [B, T, vocab] {
    let x = bert(input_ids, attention_mask: attention_mask, encoder_hidden_states: encoder_hidden_states,
                 encoder_attention_mask: encoder_attention_mask, mode: mode)
    return cls(x, bert.embeddings.word_embeddings.weight)
  }
}
