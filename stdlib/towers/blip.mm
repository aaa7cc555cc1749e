# The towers of BLIP (Li et al., 2022), in Hugging Face transformers' layout
# (`modeling_blip.py`, `modeling_blip_text.py`), which renames the official
# salesforce/BLIP code (`visual_encoder.blocks.N.attn.qkv` is `vision_model.encoder.layers.N.
# self_attn.qkv`; the BERT parts keep their names).
#
# - The vision tower is towers/vit.mm's `ViTModel` (a ViT: class token, learned positions,
#   pre-LN layers, a final norm), loaded through its `hf_blip` layout, which names it as
#   `BlipVisionModel` does (a packed `qkv`, `post_layernorm`).
# - BlipTextModel: BERT (post-LN) without token-type embeddings, whose layers carry a
#   cross-attention into the image tokens (`crossattention`), used when image tokens are
#   given: the unimodal text encoder (ITC) and the image-grounded text encoder (ITM) are
#   the same module, called without and with the image.
# - BlipTextLMHeadModel: the image-grounded text decoder. In BLIP pretraining it shares every
#   parameter with the text encoder except its causal self-attention layers
#   (`tie_encoder_decoder_weights(text_encoder, text_decoder.bert, '', '/attention')`), so
#   this block holds only what is its own: `bert.encoder.layer.N.attention` and the LM head
#   `cls.predictions` (whose decoder matrix is tied to the word embeddings). The model wires
#   the decoder through the encoder's embeddings, cross-attention and feed-forward layers.

import "std/nn/layers.mm"
import { BertAttention } from "std/fusion/cross_attention.mm"
import { BertIntermediate, BertOutput } from "std/towers/bert.mm"

# ---------------------------------------------------------------------------------------
# Text (BERT, post-LN)

## Word and absolute position embeddings (BLIP's BERT has no token-type embeddings).
block BlipTextEmbeddings(vocab: Int, width: Int, max_positions: Int = 512, eps: Float = 1e-12) {
  word_embeddings = Embedding(vocab, width)
  position_embeddings = Embedding(max_positions, width)
  LayerNorm = LayerNorm(width, eps: eps)
  forward(input_ids: [B, T] int64) -> [B, T, width] {
    return LayerNorm(word_embeddings(input_ids) + position_embeddings(arange(T)))
  }
}

## A BERT layer with cross-attention into the image tokens. Without `encoder_hidden_states`
## the cross-attention is skipped (the unimodal text encoder); with `self_attention: false`
## the caller has already applied a self-attention of its own (the decoder, whose causal
## self-attention layers are its only unshared parameters).
block BlipTextLayer(width: Int, heads: Int, hidden: Int, encoder_width: Int, eps: Float = 1e-12) {
  attention = BertAttention(width, heads, eps: eps)
  crossattention = BertAttention(width, heads, kv_width: encoder_width, eps: eps)
  intermediate = BertIntermediate(width, hidden)
  output = BertOutput(hidden, width, eps: eps)
  forward(x: [B, T, width], encoder_hidden_states: [B, S, encoder_width] = none,
          mask: [B, T] bool = none, self_attention: Bool = true) -> [B, T, width] {
    if self_attention {
      x = attention(x, mask: if mask == none then none else reshape(mask, [B, 1, 1, T]))
    }
    if encoder_hidden_states != none {
      x = crossattention(x, context: encoder_hidden_states)
    }
    return output(intermediate(x), x)
  }
}

block BlipTextEncoder(width: Int, depth: Int, heads: Int, hidden: Int, encoder_width: Int,
                      eps: Float = 1e-12) {
  layer = repeat depth BlipTextLayer(width, heads, hidden, encoder_width, eps: eps)
  forward(x: [B, T, width], encoder_hidden_states: [B, S, encoder_width] = none,
          mask: [B, T] bool = none) -> [B, T, width] {
    for l in layer {
      x = l(x, encoder_hidden_states: encoder_hidden_states, mask: mask)
    }
    return x
  }
}

## BLIP's text encoder (BERT-base with cross-attention, vocabulary 30522 + [DEC] + [ENC]).
## Returns every token; the [CLS] (or [ENC]) token is the first.
tower BlipTextModel(vocab: Int = 30524, width: Int = 768, depth: Int = 12, heads: Int = 12,
                    hidden: Int = 4 * width, max_positions: Int = 512, encoder_width: Int = 768,
                    eps: Float = 1e-12)
  where width % heads == 0 {
  embeddings = BlipTextEmbeddings(vocab, width, max_positions, eps: eps)
  encoder = BlipTextEncoder(width, depth, heads, hidden, encoder_width, eps: eps)
  forward(input_ids: [B, T] int64, attention_mask: [B, T] bool = none,
          encoder_hidden_states: [B, S, encoder_width] = none) -> [B, T, width] {
    return encoder(embeddings(input_ids), encoder_hidden_states: encoder_hidden_states, mask: attention_mask)
  }
}

# ---------------------------------------------------------------------------------------
# The decoder's own parameters

block BlipTextDecoderLayer(width: Int, heads: Int, eps: Float = 1e-12) {
  attention = BertAttention(width, heads, eps: eps)
}

block BlipTextDecoderEncoder(width: Int, depth: Int, heads: Int, eps: Float = 1e-12) {
  layer = repeat depth BlipTextDecoderLayer(width, heads, eps: eps)
}

block BlipTextDecoderBert(width: Int, depth: Int, heads: Int, eps: Float = 1e-12) {
  encoder = BlipTextDecoderEncoder(width, depth, heads, eps: eps)
}

block BlipPredictionHeadTransform(width: Int, eps: Float = 1e-12) {
  dense = Linear(width, width)
  LayerNorm = LayerNorm(width, eps: eps)
  forward(x: [B, T, width]) -> [B, T, width] {
    return LayerNorm(gelu(dense(x)))
  }
}

## The LM head; `decoder_weight` is the word-embedding matrix it is tied to.
block BlipLMPredictionHead(width: Int, vocab: Int, eps: Float = 1e-12) {
  transform = BlipPredictionHeadTransform(width, eps: eps)
  param bias: [vocab] init zeros
  forward(x: [B, T, width], decoder_weight: [vocab, width]) -> [B, T, vocab] {
    return linear(transform(x), decoder_weight, bias)
  }
}

block BlipOnlyMLMHead(width: Int, vocab: Int, eps: Float = 1e-12) {
  predictions = BlipLMPredictionHead(width, vocab, eps: eps)
  forward(x: [B, T, width], decoder_weight: [vocab, width]) -> [B, T, vocab] {
    return predictions(x, decoder_weight)
  }
}

## The image-grounded text decoder's own parameters: a causal self-attention per layer and
## the LM head. Everything else is the text encoder's (see the model).
tower BlipTextLMHeadModel(vocab: Int = 30524, width: Int = 768, depth: Int = 12, heads: Int = 12,
                          eps: Float = 1e-12) {
  bert = BlipTextDecoderBert(width, depth, heads, eps: eps)
  cls = BlipOnlyMLMHead(width, vocab, eps: eps)
}
