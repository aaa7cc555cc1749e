# VLMo: Unified Vision-Language Pre-Training with Mixture-of-Modality-Experts (Wang et al., 2021).
#
# One multiway transformer (std/experts/multiway.mm): every layer shares its self-attention and
# routes tokens to a vision (V-FFN), language (L-FFN) or, in the top layers, vision-language
# (VL-FFN) expert. The task picks the routing: image-text contrast (ITC) encodes image and text
# apart, as a dual encoder, through their own experts (and, for a second ITC loss, through the
# VL experts on top); matching (ITM) and masked language modeling (MLM) encode the pair as a
# fusion encoder, text then image, with the VL experts on top. Pretraining has three stages:
# image-only masked image modeling (BEiT), text-only MLM with self-attention and V-FFN frozen,
# then image-text ITC, ITM and MLM.
#
# Names follow the official code (microsoft/unilm, vlmo/modules: vlmo_module.py,
# multiway_transformer.py, heads.py); there is no Hugging Face implementation. Exceptions:
# - the experts of a layer are routed blocks: `transformer.blocks.N.mlp_imag` is
#   `transformer.blocks.N.mlp.imag` here, `norm2_text` is `norm2.text`, and so on (replace
#   `mlp_` by `mlp.` and `norm2_` by `norm2.`; `--layout unilm` reads the official names);
# - `relative_position` has no parameters: it computes the official relative position indices
#   and gathers the bias from `relative_position_bias_table`;
# - the image-only stage's BEiT parts (`transformer.mask_token`, `transformer.lm_head`) are not
#   in VLMo's code: VLMo starts from a BEiT checkpoint, which its loader maps to
#   `transformer.` + BEiT's names, as here.
# The relative position table keeps the official size for text of up to 196 tokens
# (`max_text_len_of_initckpt`), the length of the text-only stage; image-text inputs have 40.
# ITM picks its hard negatives by argmax over the ITC similarities where the official code
# samples from their softmax (mm has no sampling op), and the batch is not gathered across GPUs.
#
#   mm params VLMo_Base              175,430,496 (the paper's 175M)
#   mm params VLMo_Base_Pretrain     with the pretraining heads, per stage

import { Linear, Embedding, LayerNorm } from "std/nn/layers.mm"
import "std/experts/multiway.mm"

## Hugging Face's `BertEmbeddings` as VLMo builds it (`position_embedding_type="rel_pos"`): the
## position table exists (max_text_len rows) but is not added, since VLMo uses relative
## position bias; word + token type 0, then LayerNorm. `position_ids` is the persistent buffer
## of transformers 4.8.1 (which VLMo pins), in every checkpoint.
block VLMoTextEmbeddings(vocab: Int = 30522, width: Int = 768, max_positions: Int = 40, type_vocab: Int = 2) {
  word_embeddings = Embedding(vocab, width)
  position_embeddings = Embedding(max_positions, width)
  buffer position_ids: [1, max_positions] int64 init arange
  token_type_embeddings = Embedding(type_vocab, width)
  LayerNorm = LayerNorm(width, eps: 1e-12)
  forward(ids: [B, T] int64) -> [B, T, width] {
    return LayerNorm(word_embeddings(ids) + token_type_embeddings(zeros([B, T], dtype: "int64")))
  }
}

## `heads.Pooler`: tanh(dense(first token)).
head VLMoPooler(width: Int) {
  dense = Linear(width, width)
  forward(x: [B, T, width]) -> [B, width] {
    return tanh(dense(x[:, 0]))
  }
}

## `heads.ITCHead`: a bias-free projection of a [CLS] feature into the contrastive space.
head ITCHead(width: Int) {
  fc = Linear(width, width, bias: false)
  forward(x: [..., width]) -> [..., width] {
    return fc(x)
  }
}

## `heads.ITMHead`: match / no match logits.
head ITMHead(width: Int) {
  fc = Linear(width, 2)
  forward(x: [..., width]) -> [..., 2] {
    return fc(x)
  }
}

## Hugging Face's `BertPredictionHeadTransform` (dense, GELU, LayerNorm).
block BertPredictionHeadTransform(width: Int) {
  dense = Linear(width, width)
  LayerNorm = LayerNorm(width, eps: 1e-12)
  forward(x: [..., width]) -> [..., width] {
    return LayerNorm(gelu(dense(x)))
  }
}

## `heads.MLMHead`: transform, then a decoder over the vocabulary with its own (untied) weight
## and a separate bias.
head MLMHead(width: Int, vocab: Int) {
  transform = BertPredictionHeadTransform(width)
  decoder = Linear(width, vocab, bias: false)
  param bias: [vocab] init zeros
  forward(x: [..., width]) -> [..., vocab] {
    return decoder(transform(x)) + bias
  }
}

## VLMo-Base: 12 multiway layers of width 768, VL-FFN in the top 2, patch 16 at 224 pixels,
## BERT's uncased vocabulary, 40 text tokens. The dual-encoder routing (ITC, retrieval) gives
## each modality's features alone, through its own experts and, from the VL layers on, through
## the VL experts; the fusion routing (ITM, MLM, VQA, NLVR2) encodes text then image together.
## The pretraining heads, losses and stages are in VLMo_Base_Pretrain.
## published: 175M (VLMo paper; counts the multiway transformer, text embeddings, token-type embeddings and relative position bias table, not the pretraining heads)
model VLMo_Base(image_size: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12, heads: Int = 12,
                vl_layers: Int = 2, vocab: Int = 30522, max_text_len: Int = 40,
                max_text_len_of_initckpt: Int = 196)
  where image_size % patch == 0 {
  let window = image_size / patch
  let image_len = window * window + 1
  let start = depth - vl_layers
  transformer = VLMoTransformer(image_size, patch, width, depth, heads, vl_layers: vl_layers)
  param relative_position_bias_table: [(2 * window - 1) ** 2 + 3 + 2 * max_text_len_of_initckpt + 2, heads * depth] init zeros
  relative_position = VLMoRelativePositionBias(window, heads, depth, max_text_len_of_initckpt)
  text_embeddings = VLMoTextEmbeddings(vocab, width, max_text_len)
  token_type_embeddings = Embedding(2, width)

  input image: [B, 3, image_size, image_size]
  input text_ids: [B, max_text_len] int64
  input text_masks: [B, max_text_len] bool

  forward {
    let text_embeds = text_embeddings(text_ids) + token_type_embeddings(zeros([B, max_text_len], dtype: "int64"))
    let patches = concat([expand(transformer.cls_token, [B, 1, width]), transformer.patch_embed(image)], axis: 1)
    let image_embeds = patches + token_type_embeddings(ones([B, image_len], dtype: "int64"))
    let image_masks = ones([B, image_len], dtype: "bool")

    # Dual encoder: each modality alone through its experts; from layer `start` on, a second
    # pass goes through the VL experts.
    let image_bias = relative_position(relative_position_bias_table, modality: "image", mask: image_masks)
    let image_lower = transformer(image_embeds, image_bias, modality: "image", stop: start)
    output image_feats = transformer.norm(transformer(image_lower, image_bias, modality: "image", start: start))
    output image_vlffn_feats = transformer.norm(transformer(image_lower, image_bias, modality: "vl", start: start))
    let text_bias = relative_position(relative_position_bias_table, modality: "text", mask: text_masks)
    let text_lower = transformer(text_embeds, text_bias, modality: "text", stop: start)
    output text_feats = transformer.norm(transformer(text_lower, text_bias, modality: "text", start: start))
    output text_vlffn_feats = transformer.norm(transformer(text_lower, text_bias, modality: "vl", start: start))

    # Fusion encoder: text then image; L-FFN and V-FFN below, VL-FFN on top.
    let co_masks = concat([text_masks, image_masks], axis: 1)
    let co_bias = relative_position(relative_position_bias_table, modality: "vl", mask: co_masks, text_len: max_text_len)
    output co_feats: [B, max_text_len + image_len, width] = transformer.norm(
      transformer(concat([text_embeds, image_embeds], axis: 1), co_bias, modality: "vl", text_len: max_text_len))
  }

  task dual_encoder { outputs: image_feats, text_feats, image_vlffn_feats, text_vlffn_feats }
  task fusion_encoder { outputs: co_feats }

  ## The official checkpoints (microsoft/unilm vlmo) name the experts as VLMoBlock's `unilm`
  ## layout does (`mlp_imag`, `norm2_text`).
  default layout unilm
}

## VLMo-Large: 24 layers of width 1024, 16 heads, VL-FFN in the top 3.
## published: 562M (VLMo paper; counts the multiway transformer, text embeddings, token-type embeddings and relative position bias table, not the pretraining heads)
model VLMo_Large = VLMo_Base(width: 1024, depth: 24, heads: 16, vl_layers: 3)

model VLMo_Base_Tiny = VLMo_Base(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4, vl_layers: 1,
                                 vocab: 1000, max_text_len: 8, max_text_len_of_initckpt: 16)

model VLMo_Large_Tiny = VLMo_Large(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4, vl_layers: 1,
                                   vocab: 1000, max_text_len: 8, max_text_len_of_initckpt: 16)

## VLMo-Base with its pretraining heads, losses and three stages. The heads are the official
## ones (`pooler`, `mlm_score`, `itm_score`, the four `itc_*_proj` and two logit scales); the
## image-only stage adds BEiT's `mask_token` and `lm_head` (8192 DALL-E visual tokens).
##   mim (stage image_only): BEiT masked image modeling through attention and V-FFN.
##   textmlm (stage text_only): MLM on text alone through L-FFN; self-attention and V-FFN
##     frozen. The relative position table trains, as only its text rows are new.
##   itc, itm, mlm (stage image_text): everything but the BEiT parts trains.
##     itc: dual encoder, image-text contrast of the expert features and, as a second loss, of
##       the VL-expert features, averaged; itm: fusion encoder on the pair and two hard
##       negatives (an image and a text chosen by ITC similarity), [CLS] pooled; mlm: fusion
##       encoder on the pair with masked text, weighted 0.25 as in the official code.
## published: none (the paper's 175M counts the backbone alone: VLMo_Base)
model VLMo_Base_Pretrain(image_size: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12,
                         heads: Int = 12, vl_layers: Int = 2, vocab: Int = 30522, max_text_len: Int = 40,
                         max_text_len_of_initckpt: Int = 196, visual_vocab: Int = 8192)
  where image_size % patch == 0 {
  let window = image_size / patch
  let image_len = window * window + 1
  let start = depth - vl_layers
  transformer = VLMoTransformer(image_size, patch, width, depth, heads, vl_layers: vl_layers,
                                mim: true, visual_vocab: visual_vocab)
  param relative_position_bias_table: [(2 * window - 1) ** 2 + 3 + 2 * max_text_len_of_initckpt + 2, heads * depth] init zeros
  relative_position = VLMoRelativePositionBias(window, heads, depth, max_text_len_of_initckpt)
  text_embeddings = VLMoTextEmbeddings(vocab, width, max_text_len)
  token_type_embeddings = Embedding(2, width)
  pooler = VLMoPooler(width)
  mlm_score = MLMHead(width, vocab)
  itm_score = ITMHead(width)
  itc_text_proj = ITCHead(width)
  itc_image_proj = ITCHead(width)
  itc_vl_text_proj = ITCHead(width)
  itc_vl_image_proj = ITCHead(width)
  param logit_scale: [] init const(2.6592)       # ln(1 / 0.07)
  param logit_vl_scale: [] init const(2.6592)

  input image: [B, 3, image_size, image_size]
  input text_ids: [B, max_text_len] int64
  input text_masks: [B, max_text_len] bool
  input text_ids_mlm: [B, max_text_len] int64      # 15% of the words masked
  input text_labels_mlm: [B, max_text_len] int64   # -100 where not masked
  input bool_masked_pos: [B, window * window] bool # image-only stage: block-wise masked patches
  input image_token_labels: [B, window * window] int64  # their DALL-E tokens, -100 elsewhere

  forward {
    let image_masks = ones([B, image_len], dtype: "bool")
    let image_type = token_type_embeddings(ones([B, image_len], dtype: "int64"))
    let text_type = token_type_embeddings(zeros([B, max_text_len], dtype: "int64"))
    let cls = expand(transformer.cls_token, [B, 1, width])
    let image_bias = relative_position(relative_position_bias_table, modality: "image", mask: image_masks)
    let text_bias = relative_position(relative_position_bias_table, modality: "text", mask: text_masks)
    let co_masks = concat([text_masks, image_masks], axis: 1)
    let co_bias = relative_position(relative_position_bias_table, modality: "vl", mask: co_masks, text_len: max_text_len)

    # Stage 1, image only (BEiT): masked patches become the mask token; predict their tokens.
    let w = unsqueeze(cast(bool_masked_pos, "float32"), -1)
    let masked_patches = transformer.patch_embed(image) * (1.0 - w) + transformer.mask_token * w
    let mim_feats = transformer.norm(transformer(concat([cls, masked_patches], axis: 1), image_bias, modality: "image"))
    let mim_logits = transformer.lm_head(mim_feats[:, 1:])
    # BEiT's loss is over the masked patches only (lm_head(x[bool_masked_pos]) against
    # labels[bool_masked_pos]): the others are ignored.
    let mim_labels = where(bool_masked_pos, image_token_labels, -100)
    loss mim = cross_entropy(reshape(mim_logits, [-1, visual_vocab]), reshape(mim_labels, [-1]))

    # Stage 2, text only: MLM through the language experts.
    let masked_text = text_embeddings(text_ids_mlm) + text_type
    let textmlm_feats = transformer.norm(transformer(masked_text, text_bias, modality: "text"))
    let textmlm_logits = mlm_score(textmlm_feats)
    loss textmlm = cross_entropy(reshape(textmlm_logits, [-1, vocab]), reshape(text_labels_mlm, [-1]))

    # Stage 3, ITC: the dual encoder, with a second contrast through the VL experts on top.
    let image_embeds = concat([cls, transformer.patch_embed(image)], axis: 1) + image_type
    let text_embeds = text_embeddings(text_ids) + text_type
    let image_lower = transformer(image_embeds, image_bias, modality: "image", stop: start)
    let image_feats = transformer.norm(transformer(image_lower, image_bias, modality: "image", start: start))
    let image_vlffn_feats = transformer.norm(transformer(image_lower, image_bias, modality: "vl", start: start))
    let text_lower = transformer(text_embeds, text_bias, modality: "text", stop: start)
    let text_feats = transformer.norm(transformer(text_lower, text_bias, modality: "text", start: start))
    let text_vlffn_feats = transformer.norm(transformer(text_lower, text_bias, modality: "vl", start: start))
    let image_cls = normalize(itc_image_proj(image_feats[:, 0]))
    let text_cls = normalize(itc_text_proj(text_feats[:, 0]))
    let image_vl_cls = normalize(itc_vl_image_proj(image_vlffn_feats[:, 0]))
    let text_vl_cls = normalize(itc_vl_text_proj(text_vlffn_feats[:, 0]))
    let logits_per_image = exp(logit_scale) * image_cls @ text_cls.T
    let logits_per_vlffn_image = exp(logit_vl_scale) * image_vl_cls @ text_vl_cls.T
    let ground_truth = arange(B)
    let itc_loss = (cross_entropy(logits_per_image, ground_truth) + cross_entropy(logits_per_image.T, ground_truth)) / 2.0
    let itc_vlffn_loss = (cross_entropy(logits_per_vlffn_image, ground_truth)
                          + cross_entropy(logits_per_vlffn_image.T, ground_truth)) / 2.0
    output image_cls: [B, width] = image_cls
    output text_cls: [B, width] = text_cls
    output logits_per_image: [B, B] = logits_per_image
    loss itc = (itc_loss + itc_vlffn_loss) * 0.5

    # ITM: the fusion encoder on the true pairs and on hard negatives: for each text the most
    # similar other image, for each image the most similar other text.
    let not_self = logical_not(eq(unsqueeze(ground_truth, 1), unsqueeze(ground_truth, 0)))
    let weights_i2t = softmax(stop_gradient(logits_per_image)) * cast(not_self, "float32")
    let weights_t2i = softmax(stop_gradient(logits_per_image.T)) * cast(not_self, "float32")
    let neg_images = argmax(weights_t2i, axis: 1)
    let neg_texts = argmax(weights_i2t, axis: 1)
    let pos_feats = transformer(concat([text_embeds, image_embeds], axis: 1), co_bias, modality: "vl", text_len: max_text_len)
    let image_neg_feats = transformer(concat([text_embeds, image_embeds[neg_images]], axis: 1), co_bias,
                                      modality: "vl", text_len: max_text_len)
    let neg_bias = relative_position(relative_position_bias_table, modality: "vl",
                                     mask: concat([text_masks[neg_texts], image_masks], axis: 1), text_len: max_text_len)
    let text_neg_feats = transformer(concat([text_embeds[neg_texts], image_embeds], axis: 1), neg_bias,
                                     modality: "vl", text_len: max_text_len)
    let all_cls_feats = concat([pooler(transformer.norm(pos_feats)), pooler(transformer.norm(image_neg_feats)),
                                pooler(transformer.norm(text_neg_feats))], axis: 0)
    let itm_labels = concat([ones([B], dtype: "int64"), zeros([2 * B], dtype: "int64")])
    let itm_logits = itm_score(all_cls_feats)
    output itm_logits: [3 * B, 2] = itm_logits
    loss itm = cross_entropy(itm_logits, itm_labels)

    # MLM: the fusion encoder on the pair with masked text; predict the text tokens.
    let mlm_co = transformer(concat([masked_text, image_embeds], axis: 1), co_bias, modality: "vl", text_len: max_text_len)
    let mlm_logits = mlm_score(transformer.norm(mlm_co)[:, 0:max_text_len])
    output mlm_logits: [B, max_text_len, vocab] = mlm_logits
    loss mlm = cross_entropy(reshape(mlm_logits, [-1, vocab]), reshape(text_labels_mlm, [-1])) * 0.25
  }

  task mim { losses: mim  inputs: image, bool_masked_pos, image_token_labels }
  task textmlm { losses: textmlm  inputs: text_ids_mlm, text_masks, text_labels_mlm }
  task itc { losses: itc  outputs: image_cls, text_cls, logits_per_image  inputs: image, text_ids, text_masks }
  task itm { losses: itm  outputs: itm_logits  inputs: image, text_ids, text_masks }
  task mlm { losses: mlm  outputs: mlm_logits  inputs: image, text_ids_mlm, text_masks, text_labels_mlm }

  stage image_only {
    train: transformer.patch_embed, transformer.cls_token, transformer.mask_token, transformer.lm_head,
           transformer.blocks.*.norm1, transformer.blocks.*.attn, transformer.blocks.*.gamma_1,
           transformer.blocks.*.gamma_2, transformer.blocks.*.norm2.imag, transformer.blocks.*.mlp.imag,
           transformer.norm, relative_position_bias_table
    tasks: mim
  }
  stage text_only {
    train: text_embeddings, token_type_embeddings, transformer.blocks.*.norm2.text,
           transformer.blocks.*.mlp.text, relative_position_bias_table, mlm_score
    tasks: textmlm
  }
  stage image_text {
    freeze: transformer.mask_token, transformer.lm_head
    tasks: itc, itm, mlm
  }

  ## The official checkpoints (microsoft/unilm vlmo) name the experts as VLMoBlock's `unilm`
  ## layout does (`mlp_imag`, `norm2_text`).
  default layout unilm
}

## VLMo-Large with its pretraining heads, losses and stages.
## published: none (the paper's 562M counts the backbone alone: VLMo_Large)
model VLMo_Large_Pretrain = VLMo_Base_Pretrain(width: 1024, depth: 24, heads: 16, vl_layers: 3)

model VLMo_Base_Pretrain_Tiny = VLMo_Base_Pretrain(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4,
                                                   vl_layers: 1, vocab: 1000, max_text_len: 8,
                                                   max_text_len_of_initckpt: 16, visual_vocab: 512)

model VLMo_Large_Pretrain_Tiny = VLMo_Large_Pretrain(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4,
                                                     vl_layers: 1, vocab: 1000, max_text_len: 8,
                                                     max_text_len_of_initckpt: 16, visual_vocab: 512)
