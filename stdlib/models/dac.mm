# DAC: "Domain Aligned CLIP for Few-shot Classification" (Gondal et al., WACV 2024). A frozen
# CLIP is adapted to a downstream task from a few labelled images per class, without touching
# CLIP's weights, by aligning it with the target domain twice:
#   - intra-modal (image-image, DAC-V): a visual cache of the few-shot images' CLIP embeddings
#     (keys) and their one-hot labels (values), as in Tip-Adapter; a lightweight adapter on
#     the image embeddings is trained with an intra-modal (supervised) contrastive objective
#     on the few-shot images so that same-class embeddings cluster, and a query is classified
#     by its affinities exp(-beta (1 - q . k)) to the adapted keys, times the values;
#   - inter-modal (image-text, DAC-T): the precomputed class text embeddings (the prompt
#     ensemble of frozen CLIP) are modulated by a learned per-class term and trained with
#     cross-entropy on the few-shot images;
#   - the two classifiers are ensembled: logits = 100 q . t_c + alpha * cache logits (100 is
#     trained CLIP's exp(logit_scale)).
#
# No official code was found; this follows the paper's description, and what it leaves open is
# chosen here and said so: the adapter is one Linear(embed, embed) applied to the L2-normalised
# image embeddings of queries and keys (initialise it as the identity), the modulation a
# learned residual [classes, embed] added to the text embeddings (initialised to zeros),
# beta 5.5 and alpha 1.0 as Tip-Adapter's defaults, the contrastive temperature 0.07. CLIP is
# ViT-B/16.
#
# The cache is data, not parameters: the few-shot images' embeddings and labels are inputs
# (`cache_keys`, `cache_labels`), computed once with the frozen CLIP (`embed_images` task).
#
# Names: the frozen CLIP is Hugging Face's `CLIPModel` (std/models/clip.mm, CLIP_ViT_B16);
# DAC's own parameters are `visual_adapter` and `text_residual` (no official names).

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/towers/clip_text.mm"

## The supervised contrastive loss over a batch of L2-normalised embeddings: for each anchor,
## the mean log-probability of its same-label samples among all others (Khosla et al.).
loss SupConLoss(temperature: Float = 0.07) {
  forward(z: [B, D], labels: [B] int64) -> [] {
    let self_mask = eq(unsqueeze(arange(B), 1), unsqueeze(arange(B), 0))
    let logits = masked_fill(z @ z.T / temperature, self_mask, -10000.0)
    let same = cast(logical_and(eq(unsqueeze(labels, 1), unsqueeze(labels, 0)), logical_not(self_mask)), "float32")
    let log_prob = log_softmax(logits, axis: 1)
    return mean(-sum(same * log_prob, [1]) / maximum(sum(same, [1]), 1.0))
  }
}

## DAC-V's classifier: affinities of the adapted queries to the adapted cache keys, sharpened
## by beta, times the one-hot cache values.
block CacheClassifier(beta: Float = 5.5) {
  forward(query: [N, D], keys: [K, D], values: [K, C]) -> [N, C] {
    return exp(-beta * (1.0 - query @ keys.T)) @ values
  }
}

## DAC on CLIP ViT-B/16 with a 16-shot cache.
## published: none (the survey gives no figure and no official code was found; follows the WACV 2024 paper: frozen CLIP ViT-B/16, 149,620,737, plus the adapter 512 x 512 + 512 and the text residual classes x 512, here 1,000 ImageNet classes)
model DAC(classes: Int = 1000, embed: Int = 512, alpha: Float = 1.0, beta: Float = 5.5,
          temperature: Float = 0.07) {
  vision_model = CLIPVisionTransformer(image: 224, patch: 16, width: 768, depth: 12, heads: 12)
  text_model = CLIPTextTransformer(vocab: 49_408, context: 77, width: 512, depth: 12, heads: 8)
  visual_projection = Linear(vision_model.width, embed, bias: false)
  text_projection = Linear(text_model.width, embed, bias: false)
  param logit_scale: [] init const(2.6592)
  visual_adapter = Linear(embed, embed)
  param text_residual: [classes, embed] init zeros
  cache = CacheClassifier(beta)
  supcon = SupConLoss(temperature)

  input pixel_values: [N, 3, vision_model.image, vision_model.image]
  input labels: [N] int64
  ## Each class under each of the K prompt templates; their CLIP features are averaged.
  input template_ids: [classes, T, text_model.context] int64
  ## The visual cache: frozen-CLIP embeddings of the K few-shot images and their labels.
  input cache_keys: [K, embed]
  input cache_labels: [K] int64

  forward {
    # the query images under frozen CLIP
    let image_embeds = normalize(visual_projection(vision_model(pixel_values).pooler_output))
    output image_embeds: [N, embed] = image_embeds

    # inter-modal: the precomputed class text embeddings, modulated
    let template_features = text_projection(text_model(reshape(template_ids, [classes * T, text_model.context])).pooler_output)
    let class_embeds = stop_gradient(normalize(mean(normalize(reshape(template_features, [classes, T, embed])), [1])))
    let text_classifier = normalize(class_embeds + text_residual)
    let cross_modal = exp(logit_scale) * image_embeds @ text_classifier.T     # exp(logit_scale) = 100

    # intra-modal: the adapted query against the adapted cache
    let adapted_query = normalize(visual_adapter(image_embeds))
    let adapted_keys = normalize(visual_adapter(normalize(cache_keys)))
    let intra_modal = cache(adapted_query, adapted_keys, one_hot(cache_labels, classes))

    let logits = cross_modal + alpha * intra_modal
    output logits: [N, classes] = logits
    output cross_modal_logits: [N, classes] = cross_modal
    output intra_modal_logits: [N, classes] = intra_modal

    # DAC-V: the adapter clusters the few-shot images by class; DAC-T: the modulated text
    # classifier is fit with cross-entropy on the few-shot images
    loss intra_contrastive = supcon(adapted_keys, cache_labels)
    loss inter_ce = cross_entropy(cross_modal, labels)
  }

  task embed_images { outputs: image_embeds; inputs: pixel_values }
  task classify { outputs: logits, cross_modal_logits, intra_modal_logits }
  task align_visual { losses: intra_contrastive; inputs: cache_keys, cache_labels }
  task align_text { losses: inter_ce }
  stage intra_modal_alignment {
    train: visual_adapter
    freeze: vision_model, text_model, visual_projection, text_projection, logit_scale, text_residual
    tasks: align_visual
  }
  stage inter_modal_alignment {
    train: text_residual
    freeze: vision_model, text_model, visual_projection, text_projection, logit_scale, visual_adapter
    tasks: align_text
  }
}

## DAC on a tiny CLIP (widths 64/48, 2 layers, 32-pixel images, 16-token context), 10 classes.
model DAC_Tiny = DAC(classes: 10, embed: 32) with {
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
