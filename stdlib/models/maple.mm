# MaPLe: Multi-modal Prompt Learning (Khattak et al., CVPR 2023). CLIP ViT-B/16 stays frozen;
# what is learned is a set of prompts in both towers, coupled so that the image prompts are a
# function of the text prompts: 2 prompt tokens in each of the first 9 layers (`PROMPT_DEPTH`
# 9, `N_CTX` 2); the text prompts are learned directly, the image prompts are their images
# under one coupling Linear (512 -> 768) per depth. Trained on few-shot ImageNet-style data
# with cross-entropy over the classes' prompted text features.
#
# Names: the frozen CLIP is Hugging Face's `CLIPModel` (`vision_model`, `text_model`,
# `visual_projection`, `text_projection`, `logit_scale`; its towers here are the prompted ones
# of std/fusion/prompts.mm, with HF's parameter paths); the prompt learner has the names of
# the official code (muzairkhattak/multimodal-prompt-learning, `trainers/maple.py`,
# `MultiModalPromptLearner`): `prompt_learner.ctx`, `prompt_learner.proj`,
# `prompt_learner.compound_prompts_text`, `prompt_learner.compound_prompt_projections.N`.
# Exceptions:
# - The official model wraps OpenAI's CLIP (`image_encoder` = `visual.*`, `text_encoder.*` =
#   `transformer`, `positional_embedding`, `ln_final`, `text_projection`): map it to HF's
#   names as Hugging Face's CLIP conversion script does (`visual.proj` [768, 512] is the
#   transpose of `visual_projection.weight`, the packed `in_proj_weight` splits into q/k/v).
# - `compound_prompts_text` is an nn.ParameterList (`compound_prompts_text.0` ... `.7`, each
#   [2, 512]); mm has no list of bare parameters, so it is one [8, 2, 512] parameter whose
#   row i is `compound_prompts_text.i` (`layout official` reads and writes the rows).
# - The prompt learner's `token_prefix` / `token_suffix` are buffers (the frozen token
#   embeddings of the class prompts "a photo of a {class}."): here the text tower embeds
#   `prompt_ids` itself and puts `ctx` at positions 1 .. n_ctx.

import "std/nn/layers.mm"
import "std/fusion/prompts.mm"

## The prompt learner (`MultiModalPromptLearner`): the first layer's text prompts `ctx`
## (initialised from the embeddings of "a photo"), their projection `proj` into the image
## tower's width (the first layer's image prompts), and for layers 1 .. depth-1 the text
## prompts `compound_prompts_text` and their couplings `compound_prompt_projections`.
block MultiModalPromptLearner(n_ctx: Int = 2, ctx_dim: Int = 512, vision_width: Int = 768, depth: Int = 9)
  where depth >= 2 {
  param ctx: [n_ctx, ctx_dim] init normal(std: 0.02)
  proj = Linear(ctx_dim, vision_width)
  param compound_prompts_text: [depth - 1, n_ctx, ctx_dim] init normal(std: 0.02)
  compound_prompt_projections = repeat depth - 1 Linear(ctx_dim, vision_width)
  forward() -> (text_ctx: [n_ctx, ctx_dim], shared_ctx: [n_ctx, vision_width],
                deep_text: [depth - 1, n_ctx, ctx_dim], deep_vision: [depth - 1, n_ctx, vision_width]) {
    text_ctx = ctx
    shared_ctx = proj(ctx)
    deep_text = compound_prompts_text
    # the coupling: image prompts of layer i + 1 = compound_prompt_projections.i(text prompts)
    let vision = unsqueeze(compound_prompt_projections[0](compound_prompts_text[0]), 0)
    for i in range(1, depth - 1) {
      vision = concat([vision, unsqueeze(compound_prompt_projections[i](compound_prompts_text[i]), 0)], axis: 0)
    }
    deep_vision = vision
  }
}

## MaPLe on CLIP ViT-B/16: 2 prompt tokens to depth 9 in both towers.
## published: ~3.55M trainable (MaPLe paper: 3.55M learnable parameters, the prompt learner; the official code's is 3,555,072 = ctx 1,024 + proj 393,984 + compound_prompts_text 8,192 + 8 couplings 3,151,872, which the paper truncates: rounded to two decimals it is 3.56M, hence `~`; the frozen CLIP ViT-B/16, 149,620,737, is not counted)
model MaPLe(n_ctx: Int = 2, prompt_depth: Int = 9, embed: Int = 512) {
  vision_model = PromptedCLIPVisionTransformer(image: 224, patch: 16, width: 768, depth: 12, heads: 12,
                                               n_ctx: n_ctx, prompt_depth: prompt_depth)
  text_model = PromptedCLIPTextTransformer(vocab: 49_408, context: 77, width: 512, depth: 12, heads: 8,
                                           n_ctx: n_ctx, prompt_depth: prompt_depth)
  visual_projection = Linear(vision_model.width, embed, bias: false)
  text_projection = Linear(text_model.width, embed, bias: false)
  param logit_scale: [] init const(2.6592)
  prompt_learner = MultiModalPromptLearner(n_ctx, text_model.width, vision_model.width, prompt_depth)

  input pixel_values: [N, 3, vision_model.image, vision_model.image]
  ## The tokenized class prompts, one per class ("a photo of a {class}."): positions
  ## 1 .. n_ctx are replaced by the learned context.
  input prompt_ids: [C, text_model.context] int64
  input labels: [N] int64

  forward {
    let prompts = prompt_learner()
    let text_features = text_model(prompt_ids, ctx: prompts.text_ctx, deep: prompts.deep_text).pooler_output
    let image_features = vision_model(pixel_values, shallow: prompts.shared_ctx, deep: prompts.deep_vision)
    let text_embeds = normalize(text_projection(text_features))
    let image_embeds = normalize(visual_projection(image_features))
    let logits = exp(logit_scale) * image_embeds @ text_embeds.T
    output logits: [N, C] = logits
    loss ce = cross_entropy(logits, labels)
  }

  task classify { outputs: logits }
  task train { losses: ce }
  ## Only the prompt learner is trained; all of CLIP is frozen.
  stage prompt_tuning {
    train: prompt_learner
    freeze: vision_model, text_model, visual_projection, text_projection, logit_scale
    tasks: train
  }

  ## The official prompt learner's names: its nn.ParameterList, row by row.
  default layout official {
    "prompt_learner.compound_prompts_text": stack("prompt_learner.compound_prompts_text.*")
  }
}

## MaPLe on a tiny CLIP (widths 64/48, 2 layers, 32-pixel images, 16-token context):
## 2 prompt tokens to depth 2 (one coupled deep prompt).
model MaPLe_Tiny = MaPLe(prompt_depth: 2, embed: 32) with {
  vision_model.image = 32
  vision_model.patch = 8
  vision_model.width = 64
  vision_model.depth = 2
  vision_model.heads = 4
  text_model.vocab = 1000
  text_model.context = 16
  text_model.width = 48
  text_model.depth = 2
  text_model.heads = 4
}
