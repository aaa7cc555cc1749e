# CDUL: "CLIP-Driven Unsupervised Learning for Multi-Label Image Classification" (Abdelfattah
# et al., ICCV 2023). No labels at all: CLIP makes the initial pseudo-labels, a multi-label
# classifier is trained on them, and the pseudo-labels are refined while it trains.
#   1. initialisation: CLIP's global similarity vector of the whole image (softmax over the
#      class prompts) misses small and secondary objects, so the image is also cut into
#      snippets (a 3 x 3 grid of crops, each resized to CLIP's input) whose similarity vectors
#      are aggregated class by class: the maximum over the snippets where it reaches the
#      threshold (the class is present somewhere), else the minimum; the pseudo-label is the
#      average of the global and the aggregated local vector;
#   2. training (gradient alignment): the classifier is fit to the pseudo-labels with a KL
#      objective, and the pseudo-labels, latent variables initialised by step 1, are updated
#      by gradient steps on the same loss in alternation with the classifier's;
#   3. inference: the classifier alone.
#
# What is outside the graph: the pseudo-labels are per-image state kept by the trainer across
# epochs (`pseudo_labels` is an input), and their update y <- y - lr * dL/dy is a step of the
# training loop (mm has no gradient with respect to an input); cropping the snippets is data
# preparation (`snippets` is an input). The authors released no code; the computation follows
# the only public implementation, the reproduction study's (Shah and Bhalgat, 2024; github
# cs-mshah/CDUL, commit cac809f), which uses OpenAI's CLIP RN50x64 (448 pixels) and 3 x 3
# tiles, as here, and pins what the paper leaves open:
# - the similarity vectors are softmax(cos / logit_scale) with the *raw* logit_scale parameter
#   as the temperature (ln 100 for the released CLIP; `CLIPCache.temperature`), not CLIP's
#   zero-shot exp(logit_scale) * cos, so they are soft;
# - the loss is torchmetrics' KLDivergence(preds, pseudo_labels): the batch mean of
#   KL(softmax(logits) || pseudo-labels normalised to sum to one).
# Chosen here: the classifier is torchvision's ResNet-50 with a new `fc` (the reproduction's
# config trains a ResNet-101) and the aggregation threshold 0.5 (its config has 0).
#
# Names: the frozen CLIP RN50x64 as std/models/clip.mm's CLIP_RN50 (Hugging Face's CLIPModel
# names, OpenAI's ModifiedResNet names in `vision_model`), the classifier torchvision's
# (`classifier.conv1`, `classifier.layer1.0.conv1`, ..., `classifier.fc`; see
# std/towers/resnet2d.mm for the BatchNorm buffers and `downsample`).

import "std/nn/layers.mm"
import "std/towers/resnet.mm"
import "std/towers/clip_text.mm"
import { ResNet } from "std/towers/resnet2d.mm"

## CDUL's global-local aggregation: per class, the maximum of the snippets' similarities where
## it reaches `threshold`, else their minimum, averaged with the global similarity.
block GlobalLocalAggregator(threshold: Float = 0.5) {
  forward(global: [N, C], local: [N, S, C]) -> [N, C] {
    let highest = max(local, [1])
    let lowest = min(local, [1])
    let aggregated = where(ge(highest, threshold), highest, lowest)
    return (global + aggregated) / 2.0
  }
}

## CDUL with CLIP RN50x64 for initialisation and a ResNet-50 classifier, 20 classes (VOC).
## published: none (the survey gives no figure and no official code was found; follows the ICCV 2023 paper and its reproduction: frozen CLIP RN50x64 for the pseudo-labels and a trained torchvision ResNet-50 multi-label classifier)
model CDUL(classes: Int = 20, embed: Int = 1024, clip_image: Int = 448, image: Int = 224, threshold: Float = 0.5) {
  vision_model = ModifiedResNet(layers: [3, 15, 36, 10], output_dim: embed, heads: 64, image: clip_image, width: 128)
  text_model = CLIPTextTransformer(vocab: 49_408, context: 77, width: 1024, depth: 12, heads: 16)
  text_projection = Linear(text_model.width, embed, bias: false)
  param logit_scale: [] init const(2.6592)
  aggregator = GlobalLocalAggregator(threshold)
  classifier = ResNet(num_classes: classes)

  ## The image at CLIP's resolution, its S snippets (3 x 3 = 9 crops, each resized), and the
  ## class prompts ("a photo of a {class}."), for the pseudo-label initialisation.
  input clip_pixel_values: [N, 3, clip_image, clip_image]
  input snippets: [N, S, 3, clip_image, clip_image]
  input prompt_ids: [classes, text_model.context] int64
  ## The image for the classifier, and its current pseudo-labels (soft, one row per image).
  input pixel_values: [N, 3, image, image]
  input pseudo_labels: [N, classes]

  forward {
    # initialisation: CLIP's global and snippet similarity vectors, aggregated
    let class_embeds = normalize(text_projection(text_model(prompt_ids).pooler_output))
    let global_embeds = normalize(vision_model(clip_pixel_values).pooler_output)
    let snippet_embeds = normalize(vision_model(reshape(snippets, [N * S, 3, clip_image, clip_image])).pooler_output)
    let global = softmax(global_embeds @ class_embeds.T / logit_scale, axis: 1)
    let local = reshape(softmax(snippet_embeds @ class_embeds.T / logit_scale, axis: 1), [N, S, classes])
    output initial_pseudo_labels: [N, classes] = stop_gradient(aggregator(global, local))

    # training and inference: the classifier, fit to the (normalised) pseudo-labels by
    # KL(prediction || pseudo-labels), as torchmetrics' KLDivergence(preds, targets) computes it
    let logits = classifier(pixel_values)
    output logits: [N, classes] = logits
    let target = pseudo_labels / sum(pseudo_labels, [1], keepdim: true)
    let log_p = log_softmax(logits, axis: 1)
    loss kl = mean(sum(exp(log_p) * (log_p - log(target)), [1]))
  }

  task initialize { outputs: initial_pseudo_labels; inputs: clip_pixel_values, snippets, prompt_ids }
  task classify { outputs: logits; inputs: pixel_values }
  task train { losses: kl; inputs: pixel_values, pseudo_labels }
  ## Gradient-alignment training: the classifier is trained, CLIP is frozen (used only for
  ## the initial pseudo-labels); the trainer alternates these steps with label updates.
  stage gradient_alignment {
    train: classifier
    freeze: vision_model, text_model, text_projection, logit_scale
    tasks: train
  }
}

## CDUL on tiny towers: a one-block-per-stage CLIP ResNet (width 2) and text tower (width 64,
## 2 layers), a one-block-per-stage classifier ResNet (stem width 4, expansion 2), 32 pixels.
model CDUL_Tiny = CDUL(classes: 5, embed: 64, clip_image: 32, image: 32) with {
  vision_model.layers = [1, 1, 1, 1]
  vision_model.heads = 4
  vision_model.width = 2
  text_model.vocab = 1000
  text_model.context = 16
  text_model.width = 64
  text_model.depth = 2
  text_model.heads = 4
  classifier.layers = [1, 1, 1, 1]
  classifier.width = 4
  classifier.expansion = 2
}
