# BLIP (Li et al., 2022): Bootstrapping Language-Image Pre-training, after the official
# salesforce/BLIP code (`models/blip_pretrain.py`) with Hugging Face's names for the towers
# (`BlipForImageTextRetrieval`: vision_model, text_encoder, vision_proj, text_proj, itm_head;
# `BlipForConditionalGeneration`: text_decoder).
#
# One multimodal mixture of encoder-decoder (MED), pretrained with three losses:
# - ITC: the unimodal encoders (ViT [CLS] and text [CLS], projected to 256) are aligned
#   contrastively, with momentum (EMA 0.995) encoders giving soft targets (alpha 0.4);
# - ITM: the image-grounded text encoder (the text encoder with cross-attention into the
#   image tokens, input starting with [ENC]) classifies matched vs. unmatched pairs, with
#   hard negatives mined from the ITC similarities;
# - LM: the image-grounded text decoder (causal self-attention, input starting with [DEC])
#   generates the caption.
# The encoder and decoder share every parameter except the self-attention layers: the
# decoder's forward below calls the text encoder's embeddings, cross-attention and
# feed-forward layers, so those parameters exist once.
#
# CapFilt (captioning and filtering) is a data procedure, not a module: the pretrained MED is
# fine-tuned on COCO into a captioner (the decoder, LM loss) and a filter (the encoder, ITC +
# ITM); the captioner writes synthetic captions for the web images (nucleus sampling), the
# filter drops noisy web and synthetic texts whose ITM score says they do not match, and a
# new model is pretrained on the cleaned, bootstrapped set. It has no parameters of its own.
#
# Checkpoint-name exceptions:
# - Hugging Face keeps no decoder copy of the shared weights; the official checkpoint stores
#   them twice (text_decoder.bert.embeddings.*, .crossattention.*, .intermediate.*,
#   .output.* are tied to text_encoder.*), and here they exist once under text_encoder.
#   cls.predictions.decoder.weight is tied to text_encoder.embeddings.word_embeddings.weight.
# - The momentum encoders are `vision_model_m`, `vision_proj_m`, `text_encoder_m`,
#   `text_proj_m` (official: visual_encoder_m, ...). The feature queues (57,600 entries) are
#   the official buffers `image_queue`, `text_queue`, `queue_ptr`; `--mode train` enqueues.
# - ITM negatives: the official code samples one per example with probability
#   softmax(similarity); here the hardest (most similar) non-matching example is taken.
#
# Images are 384 (Hugging Face's checkpoints; pretraining ran at 224, which only changes the
# position embeddings: `vision_model.image = 224`).

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/towers/blip.mm"
import { QueueWrite } from "std/losses/contrastive.mm"

## BLIP with a ViT-B/16 image encoder: pretraining model with ITC, ITM and LM.
## published: 224M of vision_model + text_encoder + vision_proj + text_proj + itm_head (BLIP w/ ViT-B
## is quoted as 224M: the retrieval model at 384 px, 223.74M here; the decoder's own
## self-attention layers and LM head add 28.99M; the momentum encoders are EMA copies)
model BLIP_ViT_B(embed: Int = 256, queue: Int = 57_600, momentum: Float = 0.995, alpha: Float = 0.4,
                 label_smoothing: Float = 0.1) {
  vision_model = ViTModel(image: 384, patch: 16, width: 768, depth: 12, heads: 12, eps: 1e-6,
                          add_pooling_layer: false)
  # Hugging Face's checkpoints name the ViT as `BlipVisionModel` does (layers.N.self_attn.qkv).
  default layout hf_blip
  text_encoder = BlipTextModel(encoder_width: vision_model.width)
  text_decoder = BlipTextLMHeadModel(vocab: text_encoder.vocab, width: text_encoder.width,
                                     depth: text_encoder.depth, heads: text_encoder.heads)
  vision_proj = Linear(vision_model.width, embed)
  text_proj = Linear(text_encoder.width, embed)
  itm_head = Linear(text_encoder.width, 2)
  param temp: [] init const(0.07)
  ## The queues of momentum features (`blip_pretrain.py`; unit columns there, noise here) and
  ## the next column to write.
  buffer image_queue: [embed, queue] init normal(std: 1.0)
  buffer text_queue: [embed, queue] init normal(std: 1.0)
  buffer queue_ptr: [1] int64 init zeros
  enqueue = QueueWrite(queue)

  vision_model_m = ema(vision_model, momentum: momentum)
  vision_proj_m = ema(vision_proj, momentum: momentum)
  text_encoder_m = ema(text_encoder, momentum: momentum)
  text_proj_m = ema(text_proj, momentum: momentum)

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input input_ids: [B, T] int64              # [CLS] text, for ITC
  input attention_mask: [B, T] bool
  input itm_input_ids: [B, T] int64          # the same text starting with [ENC], for ITM
  input decoder_input_ids: [B, T] int64      # the same text starting with [DEC], for LM
  input labels: [B, T] int64                 # decoder_input_ids with padding set to -100

  forward {
    let t = clamp(temp, min: 0.001, max: 0.5)
    let image_embeds = vision_model(pixel_values).last_hidden_state
    let text_embeds = text_encoder(input_ids, attention_mask: attention_mask)

    # ITC against the momentum features and the queues, with soft targets from the momentum
    # encoders.
    let image_feat = normalize(vision_proj(image_embeds[:, 0]))
    let text_feat = normalize(text_proj(text_embeds[:, 0]))
    let image_feat_m = stop_gradient(normalize(vision_proj_m(vision_model_m(pixel_values).last_hidden_state[:, 0])))
    let text_feat_m = stop_gradient(normalize(text_proj_m(text_encoder_m(input_ids, attention_mask: attention_mask)[:, 0])))
    let image_feat_all = concat([image_feat_m.T, image_queue], axis: 1)     # [embed, B + queue]
    let text_feat_all = concat([text_feat_m.T, text_queue], axis: 1)
    let sim_i2t = image_feat @ text_feat_all / t
    let sim_t2i = text_feat @ image_feat_all / t
    let diag = one_hot(arange(B), B + queue)
    let i2t_targets = alpha * softmax(image_feat_m @ text_feat_all / t) + (1.0 - alpha) * diag
    let t2i_targets = alpha * softmax(text_feat_m @ image_feat_all / t) + (1.0 - alpha) * diag
    output logits_per_image: [B, B] = image_feat @ text_feat.T / t
    output image_feat = image_feat
    output text_feat = text_feat
    loss itc = (cross_entropy(sim_i2t, i2t_targets) + cross_entropy(sim_t2i, t2i_targets)) / 2.0

    # ITM: positives, plus for every example the hardest negative image and text, ranked as the
    # official code weights them: each text against the batch's momentum images (sim_t2i[:, :B]),
    # each image against the batch's momentum texts (sim_i2t[:, :B]).
    let same = eq(unsqueeze(arange(B), 1), unsqueeze(arange(B), 0))
    let hard_image = argmax(masked_fill(sim_t2i[:, 0:B], same, -10000.0), axis: 1)
    let hard_text = argmax(masked_fill(sim_i2t[:, 0:B], same, -10000.0), axis: 1)
    let itm_pos = text_encoder(itm_input_ids, attention_mask: attention_mask, encoder_hidden_states: image_embeds)
    let itm_neg_image = text_encoder(itm_input_ids, attention_mask: attention_mask,
                                     encoder_hidden_states: gather(image_embeds, hard_image))
    let itm_neg_text = text_encoder(gather(itm_input_ids, hard_text), attention_mask: gather(attention_mask, hard_text),
                                    encoder_hidden_states: image_embeds)
    let itm_logits = itm_head(concat([itm_pos[:, 0], itm_neg_image[:, 0], itm_neg_text[:, 0]], axis: 0))
    output itm_score = itm_head(itm_pos[:, 0])
    let itm_labels = concat([ones([B], dtype: "int64"), zeros([2 * B], dtype: "int64")])
    loss itm = cross_entropy(itm_logits, itm_labels)

    # LM: the decoder's causal self-attention, then the encoder's cross-attention and
    # feed-forward (shared), then the LM head tied to the word embeddings.
    let h = text_encoder.embeddings(decoder_input_ids)
    for layer, i in text_encoder.encoder.layer {
      h = text_decoder.bert.encoder.layer[i].attention(h, mask: reshape(attention_mask, [B, 1, 1, T]), causal: true)
      h = layer(h, encoder_hidden_states: image_embeds, self_attention: false)
    }
    let logits = text_decoder.cls(h, text_encoder.embeddings.word_embeddings.weight)
    output caption_logits = logits
    loss lm = cross_entropy(logits[:, 0:T - 1], labels[:, 1:], axis: -1, label_smoothing: label_smoothing)

    # A training step enqueues the momentum features, after the losses have read the queues.
    if training {
      let images = enqueue(image_queue, image_feat_m, queue_ptr)
      update_buffer(image_queue, images.features)
      update_buffer(text_queue, enqueue(text_queue, text_feat_m, queue_ptr).features)
      update_buffer(queue_ptr, images.ptr)
    }
  }

  task retrieval { outputs: logits_per_image, image_feat, text_feat
                   inputs: pixel_values, input_ids, attention_mask }
  task matching { outputs: itm_score; losses: itm }
  task captioning { outputs: caption_logits; losses: lm
                    inputs: pixel_values, decoder_input_ids, attention_mask, labels }
  task pretrain { losses: itc, itm, lm }
  stage pretrain { tasks: pretrain }
}

## BLIP with a ViT-L/16 image encoder.
## published: 446M of vision_model + text_encoder + vision_proj + text_proj + itm_head (BLIP w/ ViT-L
## is quoted as 446M: the retrieval model at 384 px, 446.13M here)
model BLIP_ViT_L = BLIP_ViT_B with {
  vision_model.width = 1024
  vision_model.depth = 24
  vision_model.heads = 16
}

model BLIP_ViT_B_Tiny = BLIP_ViT_B(embed: 32, queue: 64) with {
  vision_model.image = 32
  vision_model.patch = 8
  vision_model.width = 64
  vision_model.depth = 2
  vision_model.heads = 4
  text_encoder.vocab = 1000
  text_encoder.width = 64
  text_encoder.depth = 2
  text_encoder.heads = 4
  text_encoder.max_positions = 32
}

model BLIP_ViT_L_Tiny = BLIP_ViT_L(embed: 32, queue: 64) with {
  vision_model.image = 32
  vision_model.patch = 8
  vision_model.width = 48
  vision_model.depth = 2
  vision_model.heads = 4
  text_encoder.vocab = 1000
  text_encoder.width = 64
  text_encoder.depth = 2
  text_encoder.heads = 4
  text_encoder.max_positions = 32
}
