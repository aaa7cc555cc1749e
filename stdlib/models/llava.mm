# LLaVA (Liu et al., 2023, "Visual Instruction Tuning"; LLaVA-1.5: Liu et al., 2023, "Improved
# Baselines with Visual Instruction Tuning"): a frozen CLIP ViT-L/14 image encoder whose
# second-to-last layer's patch features (the [CLS] token dropped) are projected into the
# word-embedding space of a Vicuna language model and spliced into the prompt where the
# image goes. Two stages:
#   1. feature alignment (pretraining on image-caption pairs: CC3M-595K for v1, LCS-558K for
#      1.5): only the projector is trained; the vision tower and the LLM are frozen;
#   2. visual instruction tuning (LLaVA-Instruct-158K for v1, the 665K mixture for 1.5): the
#      projector and the LLM are trained; the vision tower stays frozen.
# Both stages minimise the language-modelling loss on the answer tokens (`lm`; labels -100
# on the prompt and the image).
#
# LLaVA-1.5 (LLaVA_1_5_7B, LLaVA_1_5_13B): ViT-L/14 at 336 pixels (576 patches), a two-layer
# GELU MLP projector, Vicuna-v1.5 (LLaMA-2, RMSNorm eps 1e-5). Names are Hugging Face's
# `LlavaForConditionalGeneration` (llava-hf/llava-1.5-7b-hf, -13b-hf): vision_tower (a
# `CLIPVisionModel`: vision_tower.vision_model.*), multi_modal_projector.{linear_1, linear_2},
# language_model.model.*, language_model.lm_head (the checkpoint's keys; transformers >= 4.52
# renames them on load to model.vision_tower, model.multi_modal_projector,
# model.language_model, lm_head). The HF checkpoint's vocabulary is 32064:
# Vicuna's 32000, `<image>` and `<pad>`, padded to a multiple of 64 by the conversion script.
# The checkpoint holds the whole CLIP vision tower, including the 24th layer and
# `post_layernorm`, which LLaVA never runs (it reads hidden_states[-2]); they are counted,
# as the checkpoint has them. The official LLaVA repository (liuhaotian/llava-v1.5-7b) names
# the same tensors model.vision_tower.vision_tower.vision_model.*, model.mm_projector.0 / .2
# (linear_1 / linear_2), model.embed_tokens, model.layers.N, model.norm, lm_head.
#
# LLaVA v1 (LLaVA_13B, the paper's model, released as liuhaotian/LLaVA-13b-delta-v0): ViT-L/14
# at 224 pixels (256 patches), one linear projection, Vicuna-13B v0 (LLaMA-13B, eps 1e-6).
# There is no Hugging Face port (HF's Llava has only the MLP projector), so names follow the
# official code (`LlavaLlamaForCausalLM`): model.{embed_tokens, layers.N, norm, mm_projector,
# vision_tower}, lm_head. Exception: the v0 code keeps the CLIP tower outside the state dict
# (`self.vision_tower = [CLIPVisionModel(...)]`, loaded from openai/clip-vit-large-patch14);
# it is counted here under model.vision_tower.vision_model.*, the names of the code's
# unwrapped attribute. The v0 vocabulary is 32003: LLaMA's 32000 and `<im_patch>`,
# `<im_start>`, `<im_end>`; the image is written <im_start> <im_patch> x 256 <im_end> and the
# patch tokens' embeddings are replaced by the projected features.

import { Linear, Embedding, RMSNorm } from "std/nn/layers.mm"
import { CLIPVisionTransformer } from "std/towers/vit.mm"
import { LlamaForCausalLM, LlamaDecoderLayer } from "std/towers/llama.mm"

## Hugging Face `CLIPVisionModel`: the CLIP image tower (std/towers/vit.mm) under
## `vision_model`, as LLaVA checkpoints nest it. ViT-L/14-336 by default (CLIP_ViT_L14_336's
## image tower). The call returns every token of the first `stop` layers (LLaVA: depth - 1,
## HF's hidden_states[-2]).
tower CLIPVisionModel(image: Int = 336, patch: Int = 14, width: Int = 1024, depth: Int = 24, heads: Int = 16)
  where image % patch == 0 {
  let tokens = (image / patch) ** 2 + 1
  vision_model = CLIPVisionTransformer(image: image, patch: patch, width: width, depth: depth, heads: heads)
  forward(pixel_values: [B, 3, image, image], stop: Int = depth) -> [B, tokens, width] {
    return vision_model(pixel_values, stop: stop).last_hidden_state
  }
}

## HF `LlavaMultiModalProjector`: linear_1, gelu, linear_2 (LLaVA's `mlp2x_gelu`).
block LlavaMultiModalProjector(vision_width: Int, text_width: Int) {
  linear_1 = Linear(vision_width, text_width)
  linear_2 = Linear(text_width, text_width)
  forward(x: [..., vision_width]) -> [..., text_width] {
    return linear_2(gelu(linear_1(x)))
  }
}

## LLaVA-1.5-7B (HF `LlavaForConditionalGeneration`, llava-hf/llava-1.5-7b-hf). The prompt is
## split at the image: `prompt_ids` before it (with BOS), `input_ids` after it (the rest of
## the conversation and the answer, with `labels`); 576 projected patch features go between.
## published: 7.06B (llava-hf/llava-1.5-7b-hf, 7,063,427,072; counts the whole checkpoint: the CLIP ViT-L/14-336 tower with all 24 layers and post_layernorm, the projector, Vicuna-7B-v1.5 with its vocabulary padded to 32064 and its untied lm_head)
model LLaVA_1_5_7B(vocab: Int = 32064, width: Int = 4096, depth: Int = 32, heads: Int = 32, hidden: Int = 11008,
                   eps: Float = 1e-5) {
  vision_tower = CLIPVisionModel(image: 336, patch: 14, width: 1024, depth: 24, heads: 16)
  multi_modal_projector = LlavaMultiModalProjector(vision_tower.width, width)
  language_model = LlamaForCausalLM(vocab: vocab, width: width, depth: depth, heads: heads, hidden: hidden, eps: eps)
  let patches = (vision_tower.image / vision_tower.patch) ** 2

  input pixel_values: [B, 3, vision_tower.image, vision_tower.image]
  input prompt_ids: [B, P] int64
  input input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    # vision_feature_layer -2, vision_feature_select_strategy "default": patches, no [CLS]
    let features = vision_tower(pixel_values, stop: vision_tower.depth - 1)[:, 1:]
    let image_features: [B, patches, width] = multi_modal_projector(features)
    let embed = language_model.model.embed_tokens
    let inputs_embeds = concat([embed(prompt_ids), image_features, embed(input_ids)], axis: 1)
    let all_logits = language_model(inputs_embeds).logits
    output logits: [B, L, vocab] = all_logits[:, P + patches:]
    # The official loss shifts over the whole sequence, -100 on the prompt and the image: the
    # last image position predicts the first answer token.
    loss lm = cross_entropy(all_logits[:, P + patches - 1:-1], labels, axis: -1)
  }

  task chat { outputs: logits }
  task feature_alignment { losses: lm }            # stage 1: LCS-558K captions
  task visual_instruction_tuning { losses: lm }    # stage 2: the 665K instruction mixture

  stage pretrain {
    train: multi_modal_projector
    freeze: vision_tower, language_model
    tasks: feature_alignment
  }
  stage finetune {
    train: multi_modal_projector, language_model
    freeze: vision_tower
    tasks: visual_instruction_tuning
  }
}

## LLaVA-1.5-13B (llava-hf/llava-1.5-13b-hf): Vicuna-13B-v1.5 (40 layers, 5120 wide, 40 heads,
## SwiGLU 13824); the projector maps 1024 -> 5120.
## published: 13.35B (llava-hf/llava-1.5-13b-hf, 13,351,494,656; counts the whole checkpoint: the CLIP ViT-L/14-336 tower with all 24 layers and post_layernorm, the projector, Vicuna-13B-v1.5 with its vocabulary padded to 32064 and its untied lm_head)
model LLaVA_1_5_13B = LLaVA_1_5_7B(width: 5120, depth: 40, heads: 40, hidden: 13824)

## Tiny LLaVA-1.5: a 2-layer 64-wide CLIP tower on 32x32 images (16 patches), a 2-layer decoder.
model LLaVA_1_5_7B_Tiny = LLaVA_1_5_7B(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128) with {
  vision_tower = CLIPVisionModel(image: 32, patch: 8, width: 48, depth: 2, heads: 4)
}

## Tiny LLaVA-1.5-13B (more, narrower heads than LLaVA_1_5_7B_Tiny).
model LLaVA_1_5_13B_Tiny = LLaVA_1_5_13B(vocab: 1000, width: 64, depth: 2, heads: 8, hidden: 128) with {
  vision_tower = CLIPVisionModel(image: 32, patch: 8, width: 48, depth: 2, heads: 4)
}

# ------------------------------------------------------------------------------ LLaVA v1

## The official `LlavaLlamaModel` (v0): LLaMA's decoder with the CLIP tower and the linear
## `mm_projector` beside it. It takes the spliced embeddings.
block LlavaLlamaModel(vocab: Int, width: Int, depth: Int, heads: Int, hidden: Int, eps: Float,
                      image: Int, patch: Int, vision_width: Int, vision_depth: Int, vision_heads: Int) {
  embed_tokens = Embedding(vocab, width)
  layers = repeat depth LlamaDecoderLayer(width, heads, hidden, eps, 10000.0, 0)
  norm = RMSNorm(width, eps: eps)
  vision_tower = CLIPVisionModel(image: image, patch: patch, width: vision_width, depth: vision_depth,
                                 heads: vision_heads)
  mm_projector = Linear(vision_width, width)
  forward(inputs_embeds: [B, T, width]) -> [B, T, width] {
    return norm(layers(inputs_embeds))
  }
}

## LLaVA-13B (v1 paper; liuhaotian/LLaVA-13b-delta-v0): CLIP ViT-L/14 at 224 (256 patches from
## the second-to-last layer, [CLS] dropped), a linear projection 1024 -> 5120 and Vicuna-13B
## v0. `prompt_ids` ends with <im_start>, `input_ids` starts with <im_end>. In stage 1 the
## official code (`tune_mm_mlp_adapter` with `mm_use_im_start_end`) also marks the input
## embeddings trainable, to learn the <im_start>/<im_end> rows (the other rows are restored
## from the original after every step); the paper trains "the projection matrix only".
## published: none (models.md gives figures for LLaVA-1.5 only; this counts 13,324,322,816: the CLIP ViT-L/14 tower with all 24 layers and post_layernorm, mm_projector and Vicuna-13B v0 with a 32003-token vocabulary and untied lm_head)
model LLaVA_13B(vocab: Int = 32003, width: Int = 5120, depth: Int = 40, heads: Int = 40, hidden: Int = 13824,
                eps: Float = 1e-6, image: Int = 224, patch: Int = 14, vision_width: Int = 1024,
                vision_depth: Int = 24, vision_heads: Int = 16) {
  model = LlavaLlamaModel(vocab, width, depth, heads, hidden, eps, image, patch, vision_width, vision_depth,
                          vision_heads)
  lm_head = Linear(width, vocab, bias: false)
  let patches = (image / patch) ** 2

  input pixel_values: [B, 3, image, image]
  input prompt_ids: [B, P] int64
  input input_ids: [B, L] int64
  input labels: [B, L] int64

  forward {
    # mm_vision_select_layer -2: hidden_states[-2], patches only
    let features = model.vision_tower(pixel_values, stop: vision_depth - 1)[:, 1:]
    let image_features: [B, patches, width] = model.mm_projector(features)
    let embed = model.embed_tokens
    let inputs_embeds = concat([embed(prompt_ids), image_features, embed(input_ids)], axis: 1)
    let all_logits = lm_head(model(inputs_embeds))
    output logits: [B, L, vocab] = all_logits[:, P + patches:]
    # The official loss shifts over the whole sequence, -100 on the prompt and the image: the
    # last image position predicts the first answer token.
    loss lm = cross_entropy(all_logits[:, P + patches - 1:-1], labels, axis: -1)
  }

  task chat { outputs: logits }
  task feature_alignment { losses: lm }            # stage 1: CC3M-595K captions
  task visual_instruction_tuning { losses: lm }    # stage 2: LLaVA-Instruct-158K

  stage pretrain {
    train: model.mm_projector, model.embed_tokens
    freeze: model, lm_head
    tasks: feature_alignment
  }
  stage finetune {
    train: model, lm_head
    freeze: model.vision_tower
    tasks: visual_instruction_tuning
  }
}

## Tiny LLaVA v1: a 2-layer 48-wide CLIP tower on 32x32 images, a 2-layer 64-wide decoder.
model LLaVA_13B_Tiny = LLaVA_13B(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128, image: 32, patch: 8,
                                 vision_width: 48, vision_depth: 2, vision_heads: 4)
