# TextAsImages: "Texts as Images in Prompt Tuning for Multi-Label Image Recognition" (TaI-DPT,
# Guo et al., CVPR 2023). Prompt learning for multi-label recognition with no images in
# training: CLIP's text features of captions stand in for image features, since CLIP put both
# in one space. The caption's end-of-text feature plays the global image feature and its token
# features the local (region) features; two sets of learned context tokens (double-grained
# prompts, CoOp-style, 16 tokens before the class name) are matched against them, the global
# prompts with the global feature, the local prompts with every token through a
# softmax-weighted spatial aggregation. The labels of a caption are the classes its nouns
# name (found by word and synonym matching, outside the model). At test the same prompts
# score an image: the global feature is CLIP RN50's attention pool, the local features the
# last feature map through the pool's value and output projections (as DenseCLIP does).
#
# Follows the official code (guozix/TaI-DPT, `trainers/Caption_distill_double.py`, class
# `DenseCLIP`, config `rn50_coco2014.yaml`: CLIP RN50, N_CTX 16, LOSSFUNC double_ranking,
# fixed scales: logit scale 4, spatial scales 50 on text and 40 on images).
#
# Names: the frozen CLIP RN50 as std/models/clip.mm's `CLIP_RN50` (Hugging Face's CLIPModel
# names, OpenAI's ModifiedResNet names in `vision_model`; the text tower is the prompted
# one of std/fusion/prompts.mm with HF's paths); the prompt learner has the official names:
# `prompt_learner.ctx` (global prompts), `prompt_learner.ctx_double` (local prompts) and the
# scales `temperature`, `spatial_T`, `ranking_scale` (learned only with TRAIN.IF_LEARN_SCALE /
# IF_LEARN_spatial_SCALE, off in the released configs; `ranking_scale` is never used).
# Exceptions:
# - The official model holds OpenAI's CLIP several times over (`text_encoder.*`, `model.*`,
#   `visual_encoder.*` share the same modules); here it appears once, under HF's names.
# - `prompt_learner.token_prefix` / `token_suffix` are buffers (token embeddings of the class
#   prompts "X X ... X {class}."): the text tower embeds `prompt_ids` and puts the context at
#   positions 1 .. 16.
# - The image-side global feature calls the attention pool without its positional embedding
#   (the repository's modified `attnpool(x, if_pos=False)`); it is written out here with the
#   pool's own projections (`vision_model.attnpool.{q,k,v,c}_proj`).

import "std/nn/layers.mm"
import "std/towers/resnet.mm"
import "std/fusion/prompts.mm"

## The double-grained prompt learner: global (`ctx`) and local (`ctx_double`) context
## vectors, 16 each, and three scalar scales.
block DoublePromptLearner(n_ctx: Int = 16, ctx_dim: Int = 512) {
  param ctx: [n_ctx, ctx_dim] init normal(std: 0.02)
  param ctx_double: [n_ctx, ctx_dim] init normal(std: 0.02)
  ## ln of the logit scale (3.0) and of the spatial softmax scale (3.0), and the ranking scale.
  param temperature: [] init const(3.0)
  param spatial_T: [] init const(3.0)
  param ranking_scale: [] init const(4.0)
  forward() -> (ctx: [n_ctx, ctx_dim], ctx_double: [n_ctx, ctx_dim]) {
    ctx = ctx
    ctx_double = ctx_double
  }
}

## The multi-label ranking loss (`ranking_loss`): for every positive class p and negative class
## n of a sample, max(0, margin - s_p + s_n), summed over the pairs, averaged over samples.
loss RankingLoss(scale: Float = 1.0, margin: Float = 1.0) {
  forward(scores: [B, C], labels: [B, C]) -> [] {
    let s = scale * scores
    let pairs = relu(margin - unsqueeze(s, 1) + unsqueeze(s, 2))        # [b, n, p]: margin - s_p + s_n
    let positive = unsqueeze(labels, 1)                                  # p is a positive
    let negative = 1.0 - unsqueeze(labels, 2)                            # n is a negative
    return mean(sum(pairs * positive * negative, [1, 2]))
  }
}

## The local branch (`logits_local`, before the logit scale): similarities of every token (or
## pixel) with the local prompts' class features, aggregated over the tokens by a softmax with
## a sharp scale.
block SpatialAggregation(spatial_scale: Float = 50.0) {
  forward(local: [B, L, D], classes: [C, D], mask: [B, L] = none) -> [B, C] {
    let sim = local @ classes.T                                          # [B, L, C]
    if mask != none {
      # padding tokens (id 0) get -10000 before the softmax, as the official text_mask
      sim = sim + unsqueeze(cast(eq(mask, 0), "float32") * -10000.0, 2)
    }
    let weights = softmax(sim * spatial_scale, axis: 1)
    return sum(sim * weights, [1])
  }
}

## TaI-DPT on CLIP RN50: prompts learned from captions, evaluated on images.
## published: none (the survey gives no figure; follows guozix/TaI-DPT: frozen CLIP RN50, 102,007,137, and a prompt learner of 2 x 16 x 512 + 3 = 16,387)
model TextAsImages(n_ctx: Int = 16, embed: Int = 1024, logit_scale_fixed: Float = 4.0,
                   text_spatial_scale: Float = 50.0, image_spatial_scale: Float = 40.0,
                   learn_scale: Bool = false) {
  vision_model = ModifiedResNet(layers: [3, 4, 6, 3], output_dim: embed, heads: 32, image: 224, width: 64)
  text_model = PromptedCLIPTextTransformer(vocab: 49_408, context: 77, width: 512, depth: 12, heads: 8,
                                           n_ctx: n_ctx, prompt_depth: 1)
  text_projection = Linear(text_model.width, embed, bias: false)
  param logit_scale: [] init const(2.6592)
  prompt_learner = DoublePromptLearner(n_ctx, text_model.width)
  text_local = SpatialAggregation(text_spatial_scale)
  image_local = SpatialAggregation(image_spatial_scale)
  ranking = RankingLoss()

  ## Training: captions (no images) and the multi-hot classes their nouns name.
  input caption_ids: [B, text_model.context] int64
  input caption_labels: [B, C]
  ## Testing: images.
  input pixel_values: [N, 3, vision_model.image, vision_model.image]
  ## The class prompts "X X ... X {class}." (16 placeholders), one per class.
  input prompt_ids: [C, text_model.context] int64

  forward {
    let prompts = prompt_learner()
    let class_global = normalize(text_projection(text_model(prompt_ids, ctx: prompts.ctx).pooler_output))
    let class_local = normalize(text_projection(text_model(prompt_ids, ctx: prompts.ctx_double).pooler_output))
    let scale = if learn_scale then exp(prompt_learner.temperature) else logit_scale_fixed

    # training: a caption's text features stand in for an image's features
    let caption = text_model(caption_ids, prompted: false)
    let caption_global = normalize(text_projection(caption.pooler_output))          # [B, embed]
    let caption_local = normalize(text_projection(caption.last_hidden_state))       # [B, 77, embed]
    let caption_logits = scale * caption_global @ class_global.T
    let caption_logits_local = scale * text_local(caption_local, class_local, mask: caption_ids)
    output caption_logits: [B, C] = caption_logits
    loss double_ranking = ranking(caption_logits, caption_labels) + ranking(caption_logits_local, caption_labels)

    # testing: the image's attention-pooled feature (no positions) and its projected pixels
    let pool = vision_model.attnpool
    let feature_map = vision_model(pixel_values).last_hidden_state
    let pixels = flatten(feature_map, start: 2).T                                    # [N, 49, 2048]
    let seq = concat([mean(pixels, [1], keepdim: true), pixels], axis: 1)
    let pooled = attention(pool.q_proj(seq[:, 0:1]), pool.k_proj(seq), pool.v_proj(seq), heads: vision_model.heads)
    let image_global = normalize(squeeze(pool.c_proj(pooled), 1))                    # [N, embed]
    let image_pixels = normalize(pool.c_proj(pool.v_proj(pixels)))                  # [N, 49, embed]
    output logits: [N, C] = scale * image_global @ class_global.T
    output logits_local: [N, C] = scale * image_local(image_pixels, class_local)
  }

  task recognize { outputs: logits, logits_local; inputs: pixel_values, prompt_ids }
  task train { losses: double_ranking; inputs: caption_ids, caption_labels, prompt_ids }
  ## Text-only prompt tuning: the prompt learner alone is trained, CLIP is frozen.
  stage prompt_tuning {
    train: prompt_learner
    freeze: vision_model, text_model, text_projection, logit_scale
    tasks: train
  }
}

## TaI-DPT on a tiny CLIP ResNet (one bottleneck per stage, width 2, 32-pixel images) and a
## tiny text tower (width 64, 2 layers, 16-token context), 4 context tokens.
model TextAsImages_Tiny = TextAsImages(n_ctx: 4, embed: 64) with {
  vision_model.layers = [1, 1, 1, 1]
  vision_model.heads = 4
  vision_model.image = 32
  vision_model.width = 2
  text_model.vocab = 1000
  text_model.context = 16
  text_model.width = 64
  text_model.depth = 2
  text_model.heads = 4
}
