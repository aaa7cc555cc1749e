# CLIP (Radford et al., 2021, "Learning Transferable Visual Models From Natural Language
# Supervision"): an image tower and a causal text tower, each projected without bias into a
# joint space, trained with a symmetric contrastive loss whose temperature is learned.
#
# Names follow Hugging Face's `CLIPModel` (vision_model, text_model, visual_projection,
# text_projection, logit_scale), so an HF checkpoint's state dict maps one to one, except:
# - CLIP_RN50: HF has no ResNet CLIP. Its `vision_model` is OpenAI's ModifiedResNet with
#   OpenAI's names (`visual.layer1.0.conv1.weight` is `vision_model.layer1.0.conv1.weight`;
#   see std/towers/resnet.mm for BatchNorm buffers and the downsample branch), and it has no
#   `visual_projection`: the attention pool's `c_proj` projects into the joint space. Its text
#   tower keeps HF's names (OpenAI's `transformer.resblocks.N` is `text_model.encoder.layers.N`).
# - Counts are parameters only; HF's `position_ids` buffers are not parameters.
#
# Every ViT variant differs from CLIP_ViT_B32 only in arguments (`mm diff` shows exactly
# them): image, patch, width, depth, heads of the image tower; width and heads of the text
# tower; the embedding size.

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/towers/clip_text.mm"
import "std/towers/resnet.mm"
import "std/losses/contrastive.mm"

## CLIP ViT-B/32 (Radford et al., 2021), in Hugging Face's CLIPModel layout.
## published: 151.28M (OpenAI CLIP model card / notebook: 151,277,313; counts both towers, both projections and logit_scale)
model CLIP_ViT_B32(embed: Int = 512, project_vision: Bool = true) {
  vision_model = CLIPVisionTransformer(image: 224, patch: 32, width: 768, depth: 12, heads: 12)
  text_model = CLIPTextTransformer(vocab: 49_408, context: 77, width: 512, depth: 12, heads: 8)
  visual_projection = Linear(vision_model.width, embed, bias: false) if project_vision
  text_projection = Linear(text_model.width, embed, bias: false)
  ## ln(1 / 0.07): the learned inverse temperature, used as exp(logit_scale).
  param logit_scale: [] init const(2.6592)
  clip_loss = ContrastiveLoss()

  input pixel_values: [B, 3, vision_model.image, vision_model.image]
  input input_ids: [B, text_model.context] int64

  forward {
    let image_embeds = vision_model(pixel_values).pooler_output
    if project_vision {
      image_embeds = visual_projection(image_embeds)
    }
    image_embeds = normalize(image_embeds)
    let text_embeds = normalize(text_projection(text_model(input_ids).pooler_output))
    let logits_per_text = exp(logit_scale) * text_embeds @ image_embeds.T
    output image_embeds: [B, embed] = image_embeds
    output text_embeds: [B, embed] = text_embeds
    output logits_per_image: [B, B] = logits_per_text.T
    output logits_per_text: [B, B] = logits_per_text
    loss itc = clip_loss(logits_per_text)
  }

  task retrieval { outputs: image_embeds, text_embeds, logits_per_image, logits_per_text }
  task pretrain { losses: itc }
  stage pretrain { tasks: pretrain }

  ## OpenAI's released checkpoints (clip/model.py): nn.MultiheadAttention packs q, k, v into
  ## in_proj_weight, and the projections are matrices applied as x @ proj (transposed
  ## against nn.Linear). The JIT archives also hold input_resolution, context_length and
  ## vocab_size, which clip.load deletes: --ignore-unexpected them.
  layout openai {
    "logit_scale": "logit_scale"
    "visual_projection.weight": transpose("visual.proj")
    "text_projection.weight": transpose("text_projection")
    "vision_model.embeddings.class_embedding": "visual.class_embedding"
    "vision_model.embeddings.patch_embedding.weight": "visual.conv1.weight"
    "vision_model.embeddings.position_embedding.weight": "visual.positional_embedding"
    "vision_model.pre_layrnorm.*": "visual.ln_pre.*"
    "vision_model.post_layernorm.*": "visual.ln_post.*"
    "vision_model.encoder.layers.*.self_attn.{q,k,v}_proj.weight": split("visual.transformer.resblocks.*.attn.in_proj_weight")
    "vision_model.encoder.layers.*.self_attn.{q,k,v}_proj.bias": split("visual.transformer.resblocks.*.attn.in_proj_bias")
    "vision_model.encoder.layers.*.self_attn.out_proj.*": "visual.transformer.resblocks.*.attn.out_proj.*"
    "vision_model.encoder.layers.*.layer_norm1.*": "visual.transformer.resblocks.*.ln_1.*"
    "vision_model.encoder.layers.*.layer_norm2.*": "visual.transformer.resblocks.*.ln_2.*"
    "vision_model.encoder.layers.*.mlp.fc1.*": "visual.transformer.resblocks.*.mlp.c_fc.*"
    "vision_model.encoder.layers.*.mlp.fc2.*": "visual.transformer.resblocks.*.mlp.c_proj.*"
    "vision_model.**": "visual.**"
    "text_model.embeddings.token_embedding.weight": "token_embedding.weight"
    "text_model.embeddings.position_embedding.weight": "positional_embedding"
    "text_model.final_layer_norm.*": "ln_final.*"
    "text_model.encoder.layers.*.self_attn.{q,k,v}_proj.weight": split("transformer.resblocks.*.attn.in_proj_weight")
    "text_model.encoder.layers.*.self_attn.{q,k,v}_proj.bias": split("transformer.resblocks.*.attn.in_proj_bias")
    "text_model.encoder.layers.*.self_attn.out_proj.*": "transformer.resblocks.*.attn.out_proj.*"
    "text_model.encoder.layers.*.layer_norm1.*": "transformer.resblocks.*.ln_1.*"
    "text_model.encoder.layers.*.layer_norm2.*": "transformer.resblocks.*.ln_2.*"
    "text_model.encoder.layers.*.mlp.fc1.*": "transformer.resblocks.*.mlp.c_fc.*"
    "text_model.encoder.layers.*.mlp.fc2.*": "transformer.resblocks.*.mlp.c_proj.*"
  }
}

## CLIP ViT-B/16.
## published: 149.62M (OpenAI CLIP model card; counts both towers, both projections and logit_scale)
model CLIP_ViT_B16 = CLIP_ViT_B32 with {
  vision_model.patch = 16
}

## CLIP ViT-L/14: a 24-layer 1024-wide image tower, a 768-wide text tower, a 768-d space.
## published: 427.62M (OpenAI CLIP model card; counts both towers, both projections and logit_scale)
model CLIP_ViT_L14 = CLIP_ViT_B32(embed: 768) with {
  vision_model.patch = 14
  vision_model.width = 1024
  vision_model.depth = 24
  vision_model.heads = 16
  text_model.width = 768
  text_model.heads = 12
}

## CLIP ViT-L/14 fine-tuned at 336 pixels (577 positions).
## published: 427.94M (OpenAI CLIP model card; counts both towers, both projections and logit_scale)
model CLIP_ViT_L14_336 = CLIP_ViT_L14 with {
  vision_model.image = 336
}

## CLIP RN50: OpenAI's ModifiedResNet-50 (attention pool into the 1024-d space, no separate
## visual projection) with the B/32 text tower.
## published: 102.01M (OpenAI CLIP notebook: 102,007,137; counts both towers, the text projection and logit_scale; BatchNorm running statistics are buffers, not counted)
model CLIP_RN50 = CLIP_ViT_B32(embed: 1024, project_vision: false) with {
  vision_model = ModifiedResNet(layers: [3, 4, 6, 3], output_dim: 1024, heads: 32, image: 224, width: 64)
}

## Tiny CLIP (ViT): same structure, for tests.
model CLIP_ViT_B32_Tiny = CLIP_ViT_B32(embed: 32) with {
  vision_model.image = 32
  vision_model.patch = 8
  vision_model.width = 64
  vision_model.depth = 2
  vision_model.heads = 4
  text_model.vocab = 1000
  text_model.context = 16
  text_model.width = 64
  text_model.depth = 2
  text_model.heads = 4
}

## Tiny CLIP ViT-B/16 (a smaller patch than CLIP_ViT_B32_Tiny).
model CLIP_ViT_B16_Tiny = CLIP_ViT_B32_Tiny with {
  vision_model.patch = 4
}

## Tiny CLIP ViT-L/14 (deeper-than-B proportions scaled down: wider image tower, wider space).
model CLIP_ViT_L14_Tiny = CLIP_ViT_B32_Tiny(embed: 48) with {
  vision_model.patch = 4
  vision_model.width = 64
  vision_model.heads = 8
  text_model.width = 48
  text_model.heads = 4
}

## Tiny CLIP ViT-L/14-336 (a larger image than CLIP_ViT_L14_Tiny).
model CLIP_ViT_L14_336_Tiny = CLIP_ViT_L14_Tiny with {
  vision_model.image = 28
}

## Tiny CLIP RN50: one bottleneck per stage, width 2 (64 channels after the last stage), 32 pixels.
model CLIP_RN50_Tiny = CLIP_RN50(embed: 64) with {
  vision_model.layers = [1, 1, 1, 1]
  vision_model.output_dim = 64
  vision_model.heads = 4
  vision_model.image = 32
  vision_model.width = 2
  text_model.vocab = 1000
  text_model.context = 16
  text_model.width = 64
  text_model.depth = 2
  text_model.heads = 4
}
