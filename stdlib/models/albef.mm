# ALBEF (Li et al., 2021, "Align before Fuse: Vision and Language Representation Learning with
# Momentum Distillation"): a ViT-B/16 image encoder and a BERT-base whose first 6 layers encode
# the text and whose last 6 layers fuse it with the image by cross-attention. The unimodal
# [CLS] features are aligned first (image-text contrastive, ITA, against a queue of momentum
# features), then fused for image-text matching (ITM, hard negatives drawn from the ITA
# similarities) and masked language modelling (MLM). An EMA copy of the encoders (momentum
# 0.995) gives the queue's features and soft targets for ITA and MLM (momentum distillation).
#
# Layout and names follow the official code (salesforce/ALBEF, models/model_pretrain.py):
# visual_encoder (timm ViT: patch_embed.proj, cls_token, pos_embed, blocks.N, norm),
# text_encoder (HF `BertForMaskedLM` from xbert.py: bert.embeddings, bert.encoder.layer.N with
# crossattention in layers 6-11, cls.predictions), vision_proj, text_proj, temp, itm_head, and
# the momentum copies visual_encoder_m, vision_proj_m, text_encoder_m, text_proj_m.
# Exceptions: the MLM decoder weight is tied to the word embeddings (not a separate parameter;
# see std/towers/bert.mm).
#
# The feature queues are buffers with the official names (`image_queue`, `text_queue`:
# [256, 65536] each, and `queue_ptr`); `--mode train` enqueues the batch's momentum features
# (outputs `image_queue.updated`, `text_queue.updated`, `queue_ptr.updated`), as the official
# forward does after its losses. MLM masking (15% of tokens; 80% [MASK], 10% random, 10% kept) is random and happens in
#   the data pipeline: `mlm_input_ids` and `mlm_labels` (-100 where not masked) are inputs.
# ALBEF draws each hard negative with torch.multinomial from the ITA weights; mm has no
# sampling, so the most likely negative is taken (see HardNegatives). alpha is 0.4 after the
# first epoch's warm-up (the official code ramps it from 0 in epoch 0).
#
# The batch dim is `N`; the ITM pass feeds the 2N negative pairs through the fusion layers.

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/towers/bert.mm"
import "std/losses/contrastive.mm"

## ALBEF pretraining (the 14M-image model's architecture: ViT-B/16 at 256 pixels, BERT-base).
## published: about 210M (the online model: visual_encoder, text_encoder with its MLM head, vision_proj, text_proj, itm_head, temp = 209,937,725; the momentum copies (counted apart as EMA) and the queues (inputs) are not counted)
model ALBEF(embed: Int = 256, queue: Int = 65_536, momentum: Float = 0.995, alpha: Float = 0.4) {
  visual_encoder = ViTModel(image: 256, patch: 16, width: 768, depth: 12, heads: 12, eps: 1e-6,
                            add_pooling_layer: false)
  # The official checkpoints name the ViT as timm does (blocks.N.attn.qkv, ...).
  default layout timm
  text_encoder = BertForMaskedLM(vocab: 30_522, width: 768, depth: 12, heads: 12, fusion_layer: 6,
                                 encoder_width: visual_encoder.width)
  vision_proj = Linear(visual_encoder.width, embed)
  text_proj = Linear(text_encoder.width, embed)
  ## The contrastive temperature, learned, clamped to [0.001, 0.5].
  param temp: [] init const(0.07)
  itm_head = Linear(text_encoder.width, 2)
  ## The queues of momentum features (unit columns in the official code, which normalises its
  ## random start; here the start is noise) and the next column to write.
  buffer image_queue: [embed, queue] init normal(std: 1.0)
  buffer text_queue: [embed, queue] init normal(std: 1.0)
  buffer queue_ptr: [1] int64 init zeros

  visual_encoder_m = ema(visual_encoder, momentum: momentum)
  vision_proj_m = ema(vision_proj, momentum: momentum)
  text_encoder_m = ema(text_encoder, momentum: momentum)
  text_proj_m = ema(text_proj, momentum: momentum)

  ita_loss = InfoNCE()
  distill = MomentumTargets(alpha)
  hard_negatives = HardNegatives()
  itm_loss = ITMLoss()
  enqueue = QueueWrite(queue)
  mlm_loss = MaskedLMLoss(alpha)

  input image: [N, 3, visual_encoder.image, visual_encoder.image]
  input input_ids: [N, T] int64
  input attention_mask: [N, T] int64
  input mlm_input_ids: [N, T] int64
  input mlm_labels: [N, T] int64

  forward {
    let t = clamp(temp, 0.001, 0.5)

    # Unimodal features: the image tokens, the text layers (mode "text").
    let image_embeds = visual_encoder(image).last_hidden_state
    let image_feat = normalize(vision_proj(image_embeds[:, 0]))
    let text_embeds = text_encoder.bert(input_ids, attention_mask: attention_mask, mode: "text")
    let text_feat = normalize(text_proj(text_embeds[:, 0]))

    # Momentum features; the queues follow the batch's own as further candidates.
    let image_embeds_m = stop_gradient(visual_encoder_m(image).last_hidden_state)
    let image_feat_m = stop_gradient(normalize(vision_proj_m(image_embeds_m[:, 0])))
    let text_embeds_m = text_encoder_m.bert(input_ids, attention_mask: attention_mask, mode: "text")
    let text_feat_m = stop_gradient(normalize(text_proj_m(text_embeds_m[:, 0])))
    let image_feat_all = concat([image_feat_m.T, image_queue], axis: 1)     # [embed, N + queue]
    let text_feat_all = concat([text_feat_m.T, text_queue], axis: 1)
    output image_feat_m: [N, embed] = image_feat_m
    output text_feat_m: [N, embed] = text_feat_m

    # ITA with momentum distillation.
    let sim_i2t = image_feat @ text_feat_all / t
    let sim_t2i = text_feat @ image_feat_all / t
    let sim_i2t_targets = distill(image_feat_m @ text_feat_all / t)
    let sim_t2i_targets = distill(text_feat_m @ image_feat_all / t)
    output sim_i2t = sim_i2t
    output sim_t2i = sim_t2i
    loss ita = (ita_loss(sim_i2t, sim_i2t_targets) + ita_loss(sim_t2i, sim_t2i_targets)) / 2.0

    # ITM: the positive pairs, then for each text a hard negative image and for each image a
    # hard negative text, through the fusion layers (mode "fusion").
    let output_pos = text_encoder.bert.encoder(text_embeds, attention_mask: attention_mask,
                                               encoder_hidden_states: image_embeds, mode: "fusion")
    let neg = hard_negatives(sim_i2t[:, 0:N], sim_t2i[:, 0:N])
    let image_embeds_neg = gather(image_embeds, neg.image_for_text, axis: 0)
    let text_embeds_neg = gather(text_embeds, neg.text_for_image, axis: 0)
    let text_atts_neg = gather(attention_mask, neg.text_for_image, axis: 0)
    let output_neg = text_encoder.bert.encoder(concat([text_embeds, text_embeds_neg], axis: 0),
                                               attention_mask: concat([attention_mask, text_atts_neg], axis: 0),
                                               encoder_hidden_states: concat([image_embeds_neg, image_embeds], axis: 0),
                                               mode: "fusion")
    let itm_pos = itm_head(output_pos[:, 0])
    output itm_logits: [N, 2] = itm_pos
    loss itm = itm_loss(itm_pos, itm_head(output_neg[:, 0]))

    # MLM over all 12 layers, distilled towards the momentum model's predictions.
    let logits_m = stop_gradient(text_encoder_m(mlm_input_ids, attention_mask: attention_mask,
                                                encoder_hidden_states: image_embeds_m))
    let mlm_logits = text_encoder(mlm_input_ids, attention_mask: attention_mask, encoder_hidden_states: image_embeds)
    loss mlm = mlm_loss(mlm_logits, mlm_labels, soft_labels: softmax(logits_m, axis: -1))

    # A training step enqueues the momentum features, after the losses have read the queues.
    if training {
      let images = enqueue(image_queue, image_feat_m, queue_ptr)
      update_buffer(image_queue, images.features)
      update_buffer(text_queue, enqueue(text_queue, text_feat_m, queue_ptr).features)
      update_buffer(queue_ptr, images.ptr)
    }
  }

  task pretrain { outputs: image_feat_m, text_feat_m; losses: ita, itm, mlm }
  task retrieval { outputs: sim_i2t, sim_t2i, itm_logits }
  stage pretrain { tasks: pretrain }
}

## Tiny ALBEF: same structure (BERT layer 0 text-only, layer 1 with cross-attention), for tests.
model ALBEF_Tiny = ALBEF(embed: 32, queue: 64) with {
  visual_encoder.image = 32
  visual_encoder.patch = 8
  visual_encoder.width = 64
  visual_encoder.depth = 2
  visual_encoder.heads = 4
  text_encoder.vocab = 1000
  text_encoder.width = 64
  text_encoder.depth = 2
  text_encoder.heads = 4
  text_encoder.positions = 32
  text_encoder.fusion_layer = 1
}
