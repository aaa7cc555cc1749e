# TCL (Yang et al., 2022, "Vision-Language Pre-Training with Triple Contrastive Learning"):
# ALBEF's architecture (ViT-B/16 at 256 pixels, BERT-base split into 6 text and 6 fusion
# layers, projections to 256, momentum encoders, queues of 65,536) with three contrastive
# terms in place of ALBEF's single ITA:
#   CMA  cross-modal alignment: image-text InfoNCE with momentum distillation (ALBEF's ITA);
#   IMC  intra-modal contrastive: each image against the momentum features of its augmented
#        view and the image queue, each text against its momentum feature and the text queue;
#   LMI  local mutual information: each modality's global feature against the momentum
#        model's local features (pooled image patches, text tokens), in-batch.
# plus ITM with hard negatives and MLM with distillation, as in ALBEF.
#
# Layout and names follow the official code (uta-smile/TCL, models/model_pretrain.py), which
# keeps ALBEF's: see std/models/albef.mm for the names, the tied MLM decoder, the queues and
# MLM masking as inputs, the argmax in place of multinomial hard-negative sampling, and the
# batch dim `N`. TCL adds no parameters: its momentum image encoder sees a second augmented
# view (`image_aug`), and the three terms are averaged into one loss `ita` as the official
# code does ((i2t + t2i + i2i + t2t + lmi_text + lmi_image) / 6); cma, imc and lmi are also
# outputs.

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/towers/bert.mm"
import "std/losses/contrastive.mm"

## TCL's patch pooling: the momentum model's patch features, as a grid x grid map, are
## average-pooled with kernel = stride = sqrt(grid) (ViT-B/16 at 256: 16x16 patches to 4x4).
block PatchPooling(grid: Int) {
  let pool = int(sqrt(grid))
  let cells = (grid // pool) ** 2
  forward(x: [B, grid * grid, D]) -> [B, cells, D] {
    let maps = permute(reshape(x, [B, grid, grid, D]), [0, 3, 1, 2])
    return reshape(permute(avg_pool2d(maps, pool), [0, 2, 3, 1]), [B, cells, D])
  }
}

## TCL pretraining (ALBEF's architecture, triple contrastive learning).
## published: none (models.md and the TCL paper give no parameter figure; the architecture is ALBEF's: 209,937,725 online parameters, counted as for ALBEF)
model TCL(embed: Int = 256, queue: Int = 65_536, momentum: Float = 0.995, alpha: Float = 0.4) {
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

  patch_pooling = PatchPooling(visual_encoder.image / visual_encoder.patch)
  ita_loss = InfoNCE()
  distill = MomentumTargets(alpha)
  lmi_loss = LocalMutualInformation()
  hard_negatives = HardNegatives()
  itm_loss = ITMLoss()
  enqueue = QueueWrite(queue)
  mlm_loss = MaskedLMLoss(alpha)

  input image: [N, 3, visual_encoder.image, visual_encoder.image]
  input image_aug: [N, 3, visual_encoder.image, visual_encoder.image]
  input input_ids: [N, T] int64
  input attention_mask: [N, T] int64
  input mlm_input_ids: [N, T] int64
  input mlm_labels: [N, T] int64

  forward {
    let t = clamp(temp, 0.001, 0.5)

    # Unimodal features (online model).
    let image_embeds = visual_encoder(image).last_hidden_state
    let image_feat = normalize(vision_proj(image_embeds[:, 0]))
    let text_embeds = text_encoder.bert(input_ids, attention_mask: attention_mask, mode: "text")
    let text_feat = normalize(text_proj(text_embeds[:, 0]))

    # Momentum features of the augmented image and the text: global ([CLS]) and local.
    let image_embeds_m = stop_gradient(visual_encoder_m(image_aug).last_hidden_state)
    let image_feat_m = stop_gradient(normalize(vision_proj_m(image_embeds_m[:, 0])))
    let image_feat_m_l = stop_gradient(patch_pooling(normalize(vision_proj_m(image_embeds_m[:, 1:]))))
    let text_embeds_m = stop_gradient(text_encoder_m.bert(input_ids, attention_mask: attention_mask, mode: "text"))
    let text_feat_m = normalize(text_proj_m(text_embeds_m[:, 0]))
    let text_feat_m_l = normalize(text_proj_m(text_embeds_m[:, 1:]))
    let image_feat_all = concat([image_feat_m.T, image_queue], axis: 1)     # [embed, N + queue]
    let text_feat_all = concat([text_feat_m.T, text_queue], axis: 1)
    output image_feat_m: [N, embed] = image_feat_m
    output text_feat_m: [N, embed] = text_feat_m

    # CMA: image-text, with momentum distillation.
    let sim_i2t = image_feat @ text_feat_all / t
    let sim_t2i = text_feat @ image_feat_all / t
    let sim_i2t_targets = distill(image_feat_m @ text_feat_all / t)
    let sim_t2i_targets = distill(text_feat_m @ image_feat_all / t)
    let cma = (ita_loss(sim_i2t, sim_i2t_targets) + ita_loss(sim_t2i, sim_t2i_targets)) / 2.0
    # IMC: image-image and text-text against the momentum features and the queues.
    let sim_targets = one_hot(arange(N), N + queue)
    let imc = (ita_loss(image_feat @ image_feat_all / t, sim_targets)
               + ita_loss(text_feat @ text_feat_all / t, sim_targets)) / 2.0
    # LMI: global features against local ones (text padding masked).
    let lmi = (lmi_loss(text_feat_m_l, text_feat, t, mask: attention_mask[:, 1:])
               + lmi_loss(image_feat_m_l, image_feat, t)) / 2.0
    output sim_i2t = sim_i2t
    output sim_t2i = sim_t2i
    output cma = cma
    output imc = imc
    output lmi = lmi
    loss ita = (cma + imc + lmi) / 3.0

    # ITM with hard negatives from the CMA similarities (fusion layers).
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

    # MLM, distilled towards the momentum model (which sees the augmented image's tokens).
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

  task pretrain { outputs: image_feat_m, text_feat_m, cma, imc, lmi; losses: ita, itm, mlm }
  task retrieval { outputs: sim_i2t, sim_t2i, itm_logits }
  stage pretrain { tasks: pretrain }
}

## Tiny TCL: same structure (4x4 patches pooled to 2x2 local features), for tests.
model TCL_Tiny = TCL(embed: 32, queue: 64) with {
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
