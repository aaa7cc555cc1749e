# PromptSRC: Self-regulating Prompts (Khattak et al., ICCV 2023). CLIP ViT-B/16 stays
# frozen; 4 learnable prompt tokens enter each of the first 9 layers of both towers,
# independently per tower (no coupling: the official `IVLP` design). Three self-regulating
# constraints keep the prompted model close to frozen CLIP:
#   - mutual agreement: L1 between the prompted and the frozen features, text (weight 25)
#     and image (weight 10), and KL between the prompted and the frozen logits;
#   - textual diversity: the frozen text features of a class average its features over the
#     60 ImageNet templates ("a bad photo of a {}.", ...), computed once at start;
#   - Gaussian prompt aggregation (GPA), outside the graph: after every epoch e the trainer
#     adds w_e * (the whole state dict) to a running sum, w_e the N(15, 1) density at e
#     normalised over the 20 epochs, and loads the sum at the end. It is an operation on
#     parameter snapshots between steps, not a computation of the model.
#
# Names: the frozen CLIP is Hugging Face's `CLIPModel` (`vision_model`, `text_model`,
# `visual_projection`, `text_projection`, `logit_scale`), its towers the prompted ones of
# std/fusion/prompts.mm (HF's parameter paths plus the prompts); the prompts have the official
# names (muzairkhattak/PromptSRC, `trainers/promptsrc.py`, `clip/model.py`) under HF's paths:
# `prompt_learner.ctx` (the text tower's first-layer prompts), `vision_model.VPT` (OpenAI's
# `visual.VPT`, the image tower's first-layer prompts) and `{vision,text}_model.encoder.
# layers.N.VPT_shallow` for N = 1 .. 8 (OpenAI's `transformer.resblocks.N.VPT_shallow`).
# Exceptions:
# - The official model wraps OpenAI's CLIP (`image_encoder`, `text_encoder`): map it to HF's
#   names as Hugging Face's CLIP conversion script does.
# - The official prompt learner keeps a second copy of the frozen image encoder,
#   `prompt_learner.ZS_image_encoder` (85.8M, the same CLIP weights, never trained). Here the
#   zero-shot image features run the same frozen tower without prompts (`prompted: false`)
#   under stop_gradient; the copy has no parameters of its own.
# - `prompt_learner.token_prefix` / `token_suffix` (buffers) and `fixed_embeddings` (a plain
#   tensor) are not parameters: the text tower embeds `prompt_ids` itself, and the frozen
#   template features are computed from `template_ids`.

import "std/nn/layers.mm"
import "std/fusion/prompts.mm"

## The text tower's first-layer prompts (`VLPromptLearner.ctx`, initialised from the token
## embeddings of "a photo of a").
block VLPromptLearner(n_ctx: Int = 4, ctx_dim: Int = 512) {
  param ctx: [n_ctx, ctx_dim] init normal(std: 0.02)
  forward() -> [n_ctx, ctx_dim] {
    return ctx
  }
}

## PromptSRC on CLIP ViT-B/16: 4 + 4 prompt tokens to depth 9.
## published: 46K trainable (PromptSRC paper: 46K learnable parameters; the official code trains prompt_learner.ctx 2,048, the image tower's VPT 3,072 and VPT_shallow in layers 1-8 of both towers, 8 x (3,072 + 2,048) = 40,960: 46,080 in all; the frozen CLIP ViT-B/16, 149,620,737, is not counted)
model PromptSRC(n_ctx: Int = 4, prompt_depth: Int = 9, embed: Int = 512,
                text_loss_weight: Float = 25.0, image_loss_weight: Float = 10.0) {
  vision_model = PromptedCLIPVisionTransformer(image: 224, patch: 16, width: 768, depth: 12, heads: 12,
                                               n_ctx: n_ctx, prompt_depth: prompt_depth, own_prompts: true)
  text_model = PromptedCLIPTextTransformer(vocab: 49_408, context: 77, width: 512, depth: 12, heads: 8,
                                           n_ctx: n_ctx, prompt_depth: prompt_depth, own_prompts: true)
  visual_projection = Linear(vision_model.width, embed, bias: false)
  text_projection = Linear(text_model.width, embed, bias: false)
  param logit_scale: [] init const(2.6592)
  prompt_learner = VLPromptLearner(n_ctx, text_model.width)

  input pixel_values: [N, 3, vision_model.image, vision_model.image]
  ## The tokenized class prompts ("a photo of a {class}."), one per class.
  input prompt_ids: [C, text_model.context] int64
  ## Every class under each of the K templates (IMAGENET_TEMPLATES: K = 60).
  input template_ids: [C, K, text_model.context] int64
  input labels: [N] int64

  forward {
    let scale = exp(logit_scale)
    # the prompted model
    let text_embeds = normalize(text_projection(text_model(prompt_ids, ctx: prompt_learner()).pooler_output))
    let image_embeds = normalize(visual_projection(vision_model(pixel_values)))
    let logits = scale * image_embeds @ text_embeds.T
    output logits: [N, C] = logits
    loss ce = cross_entropy(logits, labels)

    # frozen CLIP: template-averaged text features and zero-shot image features
    let template_features = text_projection(text_model(reshape(template_ids, [C * K, text_model.context]),
                                                       prompted: false).pooler_output)
    let fixed_embeddings = stop_gradient(normalize(mean(reshape(template_features, [C, K, embed]), [1])))
    let zero_shot_features = stop_gradient(normalize(visual_projection(vision_model(pixel_values, prompted: false))))
    let zero_shot_logits = stop_gradient(scale * zero_shot_features @ fixed_embeddings.T)
    output zero_shot_logits: [N, C] = zero_shot_logits

    # self-regulating consistency (L_SCL): L1 on features, KL(frozen || prompted) on logits
    # (F.kl_div(log_softmax(logits), log_softmax(zero_shot_logits), "sum", log_target) / numel)
    loss scl_text = text_loss_weight * mean(abs(text_embeds - fixed_embeddings))
    loss scl_image = image_loss_weight * mean(abs(image_embeds - zero_shot_features))
    let log_target = log_softmax(zero_shot_logits, axis: 1)
    loss scl_logits = mean(exp(log_target) * (log_target - log_softmax(logits, axis: 1)))
  }

  task classify { outputs: logits }
  task train { losses: ce, scl_text, scl_image, scl_logits }
  ## The prompts alone are trained (the official trainer: names under `prompt_learner`, and
  ## every name with "VPT"); all of CLIP is frozen.
  stage prompt_tuning {
    train: prompt_learner, vision_model.VPT, **.VPT_shallow
    freeze: vision_model, text_model, visual_projection, text_projection, logit_scale
    tasks: train
  }
}

## PromptSRC on a tiny CLIP (widths 64/48, 2 layers, 32-pixel images, 16-token context):
## 4 + 4 prompt tokens to depth 2 (one deep prompt per tower).
model PromptSRC_Tiny = PromptSRC(prompt_depth: 2, embed: 32) with {
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
