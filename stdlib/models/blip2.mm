# BLIP-2 (Li et al., 2023): a frozen image encoder (EVA ViT-g/14, 39 of 40 blocks) and a
# frozen LLM bridged by a Q-Former (BERT-base over 32 learned queries, cross-attention into
# the image every other layer) and one linear projection into the LLM's embedding space.
# Training has two stages, both with the image encoder frozen:
#   stage 1 (representation learning, `BLIP2_Stage1`): the Q-Former with a text input learns
#     from image-text pairs with three losses that share one forward: image-text contrastive
#     (ITC, queries vs the text's [CLS], max over queries), image-text matching (ITM, queries
#     and text in one sequence, with hard negatives) and image-grounded text generation (ITG,
#     the text decoded through the queries under a multimodal causal mask);
#   stage 2 (generative learning, `BLIP2_OPT_2_7B`, `BLIP2_FlanT5_XL`): the query outputs,
#     projected, are a soft prompt of the frozen LLM, trained with the language-modelling
#     loss (OPT: prefix LM over the text; Flan-T5: prefix to the encoder, suffix decoded).
#
# Names follow Hugging Face: `Blip2ForConditionalGeneration` (vision_model, query_tokens,
# qformer, language_projection, language_model) for the stage-2 models, and
# `Blip2ForImageTextRetrieval` (vision_model, query_tokens, embeddings, qformer,
# vision_projection, text_projection, itm_head) for stage 1. Exceptions: stage 1's ITG head
# and temperature are not in HF; they carry LAVIS's names (`cls.predictions.transform.*`,
# `cls.predictions.bias`, `temp`), and the ITG decoder weight is tied to
# `embeddings.word_embeddings.weight` as in LAVIS. The towers list their own exceptions
# (OPT's tied lm_head, T5's embed_tokens aliases, EVA's qkv bias).
#
# The published sizes (3.74B, 3.94B) count the released stage-2 checkpoints: ViT-g + ln_vision
# + query tokens + Q-Former without its text FFN + projection + LLM. The stage-1 modules (text
# embeddings, the text FFN of every Q-Former layer, the ITC/ITM/ITG heads) are not in them:
# LAVIS drops them before stage 2 (`Qformer.cls = None`, `layer.intermediate = None`, ...),
# so stage 1 is a model of its own here rather than a stage of the released models.

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/fusion/qformer.mm"
import "std/towers/opt.mm"
import "std/towers/t5.mm"

# ------------------------------------------------------------------------------ stage 1

## BERT's masked/causal LM head (LAVIS `Qformer.cls.predictions`): dense + gelu + LayerNorm,
## then a decoder whose weight is the word-embedding table (tied) plus a bias.
block BertPredictionHeadTransform(width: Int, eps: Float = 1e-12) {
  dense = Linear(width, width)
  LayerNorm = LayerNorm(width, eps: eps)
  forward(x: [B, T, width]) -> [B, T, width] {
    return LayerNorm(gelu(dense(x)))
  }
}

block BertLMPredictionHead(width: Int, vocab: Int) {
  transform = BertPredictionHeadTransform(width)
  param bias: [vocab] init zeros
  forward(x: [B, T, width], decoder_weight: [vocab, width]) -> [B, T, vocab] {
    return linear(transform(x), decoder_weight, bias)
  }
}

block BertOnlyMLMHead(width: Int, vocab: Int) {
  predictions = BertLMPredictionHead(width, vocab)
  forward(x: [B, T, width], decoder_weight: [vocab, width]) -> [B, T, vocab] {
    return predictions(x, decoder_weight)
  }
}

## BLIP-2 stage 1: Q-Former pretraining against the frozen EVA ViT-g (LAVIS `blip2` /
## `Blip2Qformer`; the checkpoint HF converts as `Blip2ForImageTextRetrieval`). One batch of
## image-text pairs gives the three losses:
##   itc: image_feats (one 256-d vector per query) against the text's [CLS] feature; the
##        similarity of a pair is the best query's; temperature `temp` learned, labels
##        smoothed by 0.1;
##   itm: for every pair, the hardest negative text of its image and the hardest negative
##        image of its text (highest ITC similarity; LAVIS samples them from the softmax of
##        the similarities); queries and text in one sequence, bidirectional; the ITM logits
##        are averaged over the queries; 3B pairs, B of them positive;
##   itg: the text (first token [DEC]) decoded through the queries: queries attend to
##        queries only, each text token to all queries and the text before it; LM loss
##        with label smoothing 0.1.
## published: none (no figure for the stage-1 model; it counts ViT-g, Q-Former with text FFN, text embeddings, ITC/ITM/ITG heads)
model BLIP2_Stage1(queries: Int = 32, embed: Int = 256, vocab: Int = 30523, positions: Int = 512) {
  vision_model = ViTModel(image: 224, patch: 14, width: 1408, depth: 39, heads: 16, hidden: 6144, eps: 1e-6,
                          add_pooling_layer: false)
  # Hugging Face's checkpoints name the EVA ViT as `Blip2VisionModel` does.
  default layout hf_blip
  qformer = Blip2QFormerModel(kv_width: vision_model.width, text: true)
  param query_tokens: [1, queries, qformer.width] init normal(std: 0.02)
  embeddings = Blip2TextEmbeddings(vocab, positions, qformer.width)
  vision_projection = Linear(qformer.width, embed)
  text_projection = Linear(qformer.width, embed)
  itm_head = Linear(qformer.width, 2)
  cls = BertOnlyMLMHead(qformer.width, vocab)
  param temp: [] init const(0.07)

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input input_ids: [B, L] int64
  input attention_mask: [B, L] bool
  input decoder_input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    let width = qformer.width
    let image_embeds = stop_gradient(vision_model(pixel_values).last_hidden_state)
    let query_embeds = expand(query_tokens, [B, queries, width])
    let text_mask = reshape(attention_mask, [B, 1, 1, L])
    let scale = 1.0 / clamp(temp, min: 0.001, max: 0.5)

    # ITC: queries alone (with the image), text alone (its own self-attention)
    let query_output = qformer(query_embeds, queries, image: image_embeds)
    let image_feats = normalize(vision_projection(query_output))
    let text_output = qformer(embeddings(input_ids), 0, mask: text_mask)
    let text_feat = normalize(text_projection(text_output[:, 0]))
    let sim_i2t = max(image_feats @ text_feat.T, [1]) * scale
    let targets = arange(B)
    output logits_per_image: [B, B] = sim_i2t
    loss itc = (cross_entropy(sim_i2t, targets, label_smoothing: 0.1)
                + cross_entropy(sim_i2t.T, targets, label_smoothing: 0.1)) / 2.0

    # ITM with hard negatives mined from the ITC similarities
    let same = eq(unsqueeze(targets, 1), unsqueeze(targets, 0))
    let sim = stop_gradient(masked_fill(sim_i2t, same, -10000.0))
    let neg_text = argmax(sim, axis: 1)
    let neg_image = argmax(sim.T, axis: 1)
    let ids_all = concat([input_ids, input_ids, input_ids[neg_text]], axis: 0)
    let mask_all = concat([attention_mask, attention_mask, attention_mask[neg_text]], axis: 0)
    let image_all = concat([image_embeds, image_embeds[neg_image], image_embeds], axis: 0)
    let joint_padding = concat([ones([3 * B, queries], dtype: "bool"), mask_all], axis: 1)
    let joint_mask = reshape(joint_padding, [3 * B, 1, 1, queries + L])
    let itm_in = concat([expand(query_tokens, [3 * B, queries, width]), embeddings(ids_all)], axis: 1)
    let vl = qformer(itm_in, queries, image: image_all, mask: joint_mask)[:, 0:queries]
    let itm_logits = mean(itm_head(vl), [1])
    let itm_labels = concat([ones([B], dtype: "int64"), zeros([2 * B], dtype: "int64")], axis: 0)
    output itm_logits = itm_logits
    loss itm = cross_entropy(itm_logits, itm_labels)

    # ITG: multimodal causal mask over [queries; text]
    let see_queries = concat([ones([queries, queries], dtype: "bool"), zeros([queries, L], dtype: "bool")], axis: 1)
    let see_text = concat([ones([L, queries], dtype: "bool"), causal_mask(L)], axis: 1)
    let multimodal_causal = reshape(concat([see_queries, see_text], axis: 0), [1, 1, queries + L, queries + L])
    let not_padding = concat([ones([B, queries], dtype: "bool"), attention_mask], axis: 1)
    let itg_mask = logical_and(multimodal_causal, reshape(not_padding, [B, 1, 1, queries + L]))
    let itg_in = concat([query_embeds, embeddings(decoder_input_ids)], axis: 1)
    let itg_out = qformer(itg_in, queries, image: image_embeds, mask: itg_mask)[:, queries:]
    let prediction_scores = cls(itg_out, embeddings.word_embeddings.weight)
    loss itg = cross_entropy(prediction_scores[:, 0:-1], labels[:, 1:], axis: -1, label_smoothing: 0.1)
  }

  task retrieval { outputs: logits_per_image, itm_logits }
  task pretrain { losses: itc, itm, itg }
  stage stage1 {
    train: query_tokens, qformer, embeddings, vision_projection, text_projection, itm_head, cls, temp
    freeze: vision_model
    tasks: pretrain
  }
}

model BLIP2_Stage1_Tiny = BLIP2_Stage1(queries: 4, embed: 32, vocab: 1000, positions: 64) with {
  vision_model = ViTModel(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128, eps: 1e-6,
                          add_pooling_layer: false)
  qformer.width = 64
  qformer.depth = 2
  qformer.heads = 4
  qformer.hidden = 128
}

# ------------------------------------------------------------------------------ stage 2

## BLIP-2 with OPT-2.7B (HF `Salesforce/blip2-opt-2.7b`). The 32 projected query outputs are
## prepended to the text's embeddings; OPT is trained on nothing, the loss is the LM loss on
## the text (labels -100 on prompt and padding). Stage 2 trains the Q-Former, the query
## tokens and the projection (initialized from stage 1); the ViT and OPT stay frozen.
## published: 3.74B (Salesforce/blip2-opt-2.7b; counts ViT-g, query tokens, Q-Former without text FFN, projection, OPT-2.7B)
model BLIP2_OPT_2_7B(queries: Int = 32) {
  vision_model = ViTModel(image: 224, patch: 14, width: 1408, depth: 39, heads: 16, hidden: 6144, eps: 1e-6,
                          add_pooling_layer: false)
  # Hugging Face's checkpoints name the EVA ViT as `Blip2VisionModel` does.
  default layout hf_blip
  qformer = Blip2QFormerModel(kv_width: vision_model.width)
  param query_tokens: [1, queries, qformer.width] init normal(std: 0.02)
  language_model = OPTForCausalLM()
  language_projection = Linear(qformer.width, language_model.width)

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    let image_embeds = vision_model(pixel_values).last_hidden_state
    let query_output = qformer(expand(query_tokens, [B, queries, qformer.width]), queries, image: image_embeds)
    let prefix = language_projection(query_output)
    let text = language_model.model.decoder.embed_tokens(input_ids)
    let logits = language_model(concat([prefix, text], axis: 1)).logits[:, queries:]
    output logits: [B, L, language_model.vocab] = logits
    loss lm = cross_entropy(logits[:, 0:-1], labels[:, 1:], axis: -1)
  }

  task generate { outputs: logits }
  task vision_to_language { losses: lm }
  stage stage2 {
    train: query_tokens, qformer, language_projection
    freeze: vision_model, language_model
    tasks: vision_to_language
  }
}

model BLIP2_OPT_2_7B_Tiny = BLIP2_OPT_2_7B(queries: 4) with {
  vision_model = ViTModel(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128, eps: 1e-6,
                          add_pooling_layer: false)
  qformer.width = 64
  qformer.depth = 2
  qformer.heads = 4
  qformer.hidden = 128
  language_model = OPTForCausalLM(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128, positions: 64)
}

## BLIP-2 with Flan-T5-XL (HF `Salesforce/blip2-flan-t5-xl`). The projected queries are
## prepended to the prefix text in the encoder; the decoder generates the suffix (prefix
## language modelling in stage 2, the answer at inference).
## published: 3.94B (Salesforce/blip2-flan-t5-xl; counts ViT-g, query tokens, Q-Former without text FFN, projection, Flan-T5-XL)
model BLIP2_FlanT5_XL(queries: Int = 32) {
  vision_model = ViTModel(image: 224, patch: 14, width: 1408, depth: 39, heads: 16, hidden: 6144, eps: 1e-6,
                          add_pooling_layer: false)
  # Hugging Face's checkpoints name the EVA ViT as `Blip2VisionModel` does.
  default layout hf_blip
  qformer = Blip2QFormerModel(kv_width: vision_model.width)
  param query_tokens: [1, queries, qformer.width] init normal(std: 0.02)
  language_model = T5ForConditionalGeneration()
  language_projection = Linear(qformer.width, language_model.width)

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input input_ids: [B, L] int64
  input decoder_input_ids: [B, D] int64
  input labels: [B, D] int64

  forward {
    let image_embeds = vision_model(pixel_values).last_hidden_state
    let query_output = qformer(expand(query_tokens, [B, queries, qformer.width]), queries, image: image_embeds)
    let prefix = language_projection(query_output)
    let encoder_inputs = concat([prefix, language_model.shared(input_ids)], axis: 1)
    let logits = language_model(encoder_inputs, decoder_input_ids).logits
    output logits: [B, D, language_model.vocab] = logits
    loss lm = cross_entropy(logits, labels, axis: -1)
  }

  task generate { outputs: logits }
  task vision_to_language { losses: lm }
  stage stage2 {
    train: query_tokens, qformer, language_projection
    freeze: vision_model, language_model
    tasks: vision_to_language
  }
}

model BLIP2_FlanT5_XL_Tiny = BLIP2_FlanT5_XL(queries: 4) with {
  vision_model = ViTModel(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128, eps: 1e-6,
                          add_pooling_layer: false)
  qformer.width = 64
  qformer.depth = 2
  qformer.heads = 4
  qformer.hidden = 128
  language_model = T5ForConditionalGeneration(vocab: 1000, width: 64, depth: 2, d_ff: 128, heads: 4,
                                              d_kv: 16, buckets: 8, max_distance: 16)
}
