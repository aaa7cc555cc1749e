# BEiT-3: Image as a Foreign Language: BEiT Pretraining for Vision and Vision-Language Tasks
# (Wang et al., 2022).
#
# One multiway transformer (std/experts/multiway.mm) over images and text: every layer's
# projections and norms come in two copies, `A` for the image tokens and `B` for the text
# tokens, and the attention spans both, so the same network is an image encoder, a text
# encoder (the dual-encoder routing of retrieval) or a fusion encoder of the pair (the image
# first). Pretraining is masked data modeling only: masked "language" modeling of texts
# (English), of images as visual tokens (Imglish) and of image-text pairs (parallel sentences).
#
# Names follow the released code, torchscale (model/BEiT3.py) wrapped by microsoft/unilm's
# beit3 (modeling_utils.py, modeling_finetune.py): `beit3.encoder.layers.N.ffn.A.fc1.weight`,
# `beit3.vision_embed.cls_token`, `language_head`, ...; there is no Hugging Face
# implementation. The released base and large models are Magneto (sub-LN) multiway encoders
# with experts `A`/`B` in every layer and no vision-language experts (the paper's giant model
# adds them in the top layers). The masked-data-modeling heads are not released; they are
# named `mlm_head` and `mim_head` here, bias-free, which agrees with the README's 276M.
#
#   mm params BEiT3_Base           222,167,041 (README: 222M)
#   mm params BEiT3_Base_Pretrain  276,438,528 (README: 276M)
#
# The README rounds its base figures but truncates its large ones: BEiT3-large-itc is 674.80M
# by the official code (README: 674M), the large pretrained checkpoint 746.64M (746M); the
# large figures are therefore given as about (~) values.

import { Linear } from "std/nn/layers.mm"
import "std/experts/multiway.mm"

## BEiT3-base after image-text contrastive intermediate tuning (the README's `BEiT3-base-itc`,
## loaded by `BEiT3ForRetrieval`): 12 multiway layers of width 768, patch 16 at 224 pixels,
## a 64010-piece SentencePiece vocabulary (64 tokens per text), and bias-free projections of
## each modality's class token into the contrastive space (`vision_head`, `language_head`).
## Retrieval encodes image and text apart (experts A and B alone); the fusion routing encodes
## the pair (A for the image, B for the text) as VQA, NLVR2 and captioning fine-tuning do.
## published: 222M (README, BEiT3-base-itc; counts beit3, language_head, vision_head and logit_scale)
model BEiT3_Base(image_size: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12,
                 heads: Int = 12, vocab: Int = 64010, max_source_positions: Int = 1024,
                 num_max_bpe_tokens: Int = 64)
  where image_size % patch == 0 {
  beit3 = BEiT3(image_size, patch, width, depth, heads, 4 * width, vocab, max_source_positions)
  language_head = Linear(width, width, bias: false)
  vision_head = Linear(width, width, bias: false)
  param logit_scale: [] init const(2.6592)      # ln(1 / 0.07)

  input image: [B, 3, image_size, image_size]
  input text_description: [B, num_max_bpe_tokens] int64
  input padding_mask: [B, num_max_bpe_tokens] bool   # true at padding

  forward {
    let vision_cls = normalize(vision_head(beit3(visual_tokens: image)[:, 0]))
    let language_cls = normalize(language_head(beit3(textual_tokens: text_description,
                                                     text_padding_position: padding_mask)[:, 0]))
    let logits_per_image = exp(logit_scale) * vision_cls @ language_cls.T
    output vision_cls: [B, width] = vision_cls
    output language_cls: [B, width] = language_cls
    output logits_per_image: [B, B] = logits_per_image
    let labels = arange(B)
    loss itc = (cross_entropy(logits_per_image, labels) + cross_entropy(logits_per_image.T, labels)) / 2.0
    # Fusion encoder: the image tokens through A, the text through B, attention across both.
    output encoder_out: [B, (image_size / patch) ** 2 + 1 + num_max_bpe_tokens, width] =
      beit3(textual_tokens: text_description, visual_tokens: image, text_padding_position: padding_mask)
  }

  task retrieval { outputs: vision_cls, language_cls, logits_per_image  inputs: image, text_description, padding_mask }
  task itc { losses: itc  inputs: image, text_description, padding_mask }
  task fusion { outputs: encoder_out }
  stage itc_tuning { tasks: itc }
}

## BEiT3-large-itc: 24 layers of width 1024, 16 heads.
## published: ~674M (README, BEiT3-large-itc, a truncation of the 674.80M the official code gives; counts beit3, language_head, vision_head and logit_scale)
model BEiT3_Large = BEiT3_Base(width: 1024, depth: 24, heads: 16)

model BEiT3_Base_Tiny = BEiT3_Base(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4, vocab: 1000,
                                   max_source_positions: 64, num_max_bpe_tokens: 8)

model BEiT3_Large_Tiny = BEiT3_Large(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4, vocab: 1000,
                                     max_source_positions: 64, num_max_bpe_tokens: 8)

## BEiT3-base pretraining: masked data modeling with one shared multiway transformer.
##   mlm: monomodal text, 15% of the tokens masked, predicted over the vocabulary;
##   mim: monomodal images, 40% of the patches masked block-wise (the mask token replaces them),
##     predicted as the visual tokens of BEiT v2's VQ-KD tokenizer (8192 codes; a frozen
##     tokenizer outside the model gives the targets);
##   vl_mdm: image-text pairs, 50% of the text tokens and 40% of the patches masked, both
##     predicted from the fused pair.
## published: 276M (README, BEiT3-base pretrained checkpoint; counts beit3 and the two bias-free prediction heads)
model BEiT3_Base_Pretrain(image_size: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12,
                          heads: Int = 12, vocab: Int = 64010, max_source_positions: Int = 1024,
                          text_len: Int = 64, visual_vocab: Int = 8192)
  where image_size % patch == 0 {
  let patches = (image_size / patch) ** 2
  beit3 = BEiT3(image_size, patch, width, depth, heads, 4 * width, vocab, max_source_positions)
  mlm_head = Linear(width, vocab, bias: false)
  mim_head = Linear(width, visual_vocab, bias: false)

  input text_ids: [B, text_len] int64               # masked text; labels -100 where not masked
  input text_padding: [B, text_len] bool
  input text_labels: [B, text_len] int64
  input image: [B, 3, image_size, image_size]
  input vision_masked_position: [B, patches] bool
  input image_labels: [B, patches] int64            # VQ-KD codes at masked patches, -100 elsewhere
  input pair_image: [B, 3, image_size, image_size]
  input pair_masked_position: [B, patches] bool
  input pair_image_labels: [B, patches] int64
  input pair_text_ids: [B, text_len] int64
  input pair_text_padding: [B, text_len] bool
  input pair_text_labels: [B, text_len] int64

  forward {
    let text_out = beit3(textual_tokens: text_ids, text_padding_position: text_padding)
    loss mlm = cross_entropy(reshape(mlm_head(text_out), [-1, vocab]), reshape(text_labels, [-1]))

    let image_out = beit3(visual_tokens: image, vision_masked_position: vision_masked_position)
    loss mim = cross_entropy(reshape(mim_head(image_out[:, 1:]), [-1, visual_vocab]), reshape(image_labels, [-1]))

    let pair_out = beit3(textual_tokens: pair_text_ids, visual_tokens: pair_image,
                         text_padding_position: pair_text_padding, vision_masked_position: pair_masked_position)
    let pair_text_logits = mlm_head(pair_out[:, patches + 1:])
    let pair_image_logits = mim_head(pair_out[:, 1:patches + 1])
    loss vl_mdm = cross_entropy(reshape(pair_text_logits, [-1, vocab]), reshape(pair_text_labels, [-1]))
                  + cross_entropy(reshape(pair_image_logits, [-1, visual_vocab]), reshape(pair_image_labels, [-1]))
  }

  task mlm { losses: mlm  inputs: text_ids, text_padding, text_labels }
  task mim { losses: mim  inputs: image, vision_masked_position, image_labels }
  task vl_mdm { losses: vl_mdm  inputs: pair_image, pair_masked_position, pair_image_labels, pair_text_ids,
                                       pair_text_padding, pair_text_labels }
  stage pretrain { tasks: mlm, mim, vl_mdm }
}

## BEiT3-large pretraining.
## published: ~746M (README, BEiT3-large pretrained checkpoint, a truncation of the 746.64M computed here; counts beit3 and the two bias-free prediction heads)
model BEiT3_Large_Pretrain = BEiT3_Base_Pretrain(width: 1024, depth: 24, heads: 16)

model BEiT3_Base_Pretrain_Tiny = BEiT3_Base_Pretrain(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4,
                                                     vocab: 1000, max_source_positions: 64, text_len: 8,
                                                     visual_vocab: 512)

model BEiT3_Large_Pretrain_Tiny = BEiT3_Large_Pretrain(image_size: 32, patch: 8, width: 64, depth: 2, heads: 4,
                                                       vocab: 1000, max_source_positions: 64, text_len: 8,
                                                       visual_vocab: 512)
