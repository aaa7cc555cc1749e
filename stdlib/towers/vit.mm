# Vision Transformers (Dosovitskiy et al., 2021): patches, a class token, learned positions,
# pre-LN transformer layers. Two towers, because they compute different things:
#
#   CLIPVisionTransformer   Hugging Face `CLIPVisionModel` (vision_model.embeddings.patch_embedding,
#                           pre_layrnorm, encoder.layers.N.self_attn.q_proj, post_layernorm):
#                           a LayerNorm before the layers, a bias-free patch convolution, the
#                           final norm on the class token only; quick_gelu, eps 1e-5. CLIP, and
#                           the encoders that reuse CLIP's.
#   ViTModel                Hugging Face `ViTModel` (embeddings.patch_embeddings.projection,
#                           encoder.layer.N.attention.attention.query, layernorm_before, ...);
#                           gelu, eps 1e-12. ViLT's layers have the same names. Its layouts
#                           load the same network from the checkpoints that name it otherwise:
#                           `timm` (ALBEF, TCL and BLIP's own releases, `models/vit.py`:
#                           patch_embed.proj, cls_token, pos_embed, blocks.N.attn.qkv, norm) and
#                           `hf_blip` (Hugging Face's `BlipVisionModel` and `Blip2VisionModel`).
#
# BLIP-2's image encoder (also InstructBLIP's, MiniGPT-4's, MiniGPT-5's, Video-LLaMA's) is
# this tower as EVA ViT-g/14: the first 39 of EVA-CLIP's 40 blocks (BLIP-2 reads the
# second-to-last layer), width 1408, 16 heads of 88, MLP 6144 (mlp_ratio 4.3637), exact gelu,
# eps 1e-6, 224x224 images in 14x14 patches (257 tokens), no pooler; the final `layernorm` is
# BLIP-2's `ln_vision` (`post_layernorm` in `hf_blip`). EVA's separate `q_bias` and `v_bias`
# are one `qkv.bias` in Hugging Face's checkpoints (q_bias, zeros for k, v_bias), which
# `hf_blip` splits: 1408 more parameters per layer than the original checkpoint holds, as in
# Hugging Face's. From LAVIS's names: visual_encoder.blocks.N.attn.qkv ->
# vision_model.encoder.layers.N.self_attn.qkv (the `timm` names otherwise), ln_vision ->
# vision_model.post_layernorm.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"
import "std/nn/transformer.mm"

# ---------------------------------------------------------------------------------------
# Hugging Face CLIP

## CLIP's image embeddings: a bias-free patch convolution, a class embedding, and learned
## positions (an nn.Embedding, hence `position_embedding.weight`).
block CLIPVisionEmbeddings(image: Int, patch: Int, width: Int) where image % patch == 0 {
  let positions = (image / patch) ** 2 + 1
  param class_embedding: [width] init normal(std: width ** -0.5)
  patch_embedding = PatchEmbed(3, width, patch, bias: false)
  position_embedding = Embedding(positions, width)
  forward(pixel_values: [B, 3, image, image]) -> [B, positions, width] {
    let cls = expand(reshape(class_embedding, [1, 1, width]), [B, 1, width])
    return concat([cls, patch_embedding(pixel_values)], axis: 1) + position_embedding(arange(positions))
  }
}

## CLIP's image tower (HF `CLIPVisionTransformer`): pre-LN layers between `pre_layrnorm`
## (sic, as Hugging Face spells it) and `post_layernorm`, which normalizes the class token.
## `stop` runs only the first `stop` layers: LLaVA reads the second-to-last layer's output
## (`stop: depth - 1`), which is what HF's `hidden_states[-2]` holds.
tower CLIPVisionTransformer(image: Int = 224, patch: Int = 32, width: Int = 768, depth: Int = 12,
                            heads: Int = 12, hidden: Int = 4 * width, eps: Float = 1e-5)
  where image % patch == 0, width % heads == 0 {
  let tokens = (image / patch) ** 2 + 1
  embeddings = CLIPVisionEmbeddings(image, patch, width)
  pre_layrnorm = LayerNorm(width, eps: eps)
  encoder = Encoder(width, depth, heads, hidden: hidden, act: Act.quick_gelu, eps: eps)
  post_layernorm = LayerNorm(width, eps: eps)
  forward(pixel_values: [B, 3, image, image], stop: Int = depth)
    -> (last_hidden_state: [B, tokens, width], pooler_output: [B, width]) {
    let x = pre_layrnorm(embeddings(pixel_values))
    for layer in encoder.layers[0:stop] {
      x = layer(x)
    }
    last_hidden_state = x
    pooler_output = post_layernorm(x[:, 0])
  }
}

# ---------------------------------------------------------------------------------------
# Hugging Face ViT (and ViLT, whose layers are named the same)

## Queries, keys and values (HF `ViTSelfAttention`); `mask` [B, T] (nonzero = attend) hides
## padding, as ViLT needs for its text tokens.
block ViTSelfAttention(width: Int, heads: Int, bias: Bool = true) where width % heads == 0 {
  query = Linear(width, width, bias: bias)
  key = Linear(width, width, bias: bias)
  value = Linear(width, width, bias: bias)
  forward(x: [B, T, width], mask: [B, T] = none) -> [B, T, width] {
    if mask == none {
      return attention(query(x), key(x), value(x), heads: heads)
    }
    let keep = reshape(ne(mask, 0), [B, 1, 1, T])
    return attention(query(x), key(x), value(x), mask: keep, heads: heads)
  }
}

## A dense layer wrapped as HF wraps it (`output.dense`, `intermediate.dense`), with an optional
## gelu after it (`approximate`: "none", the exact one, or "tanh").
block ViTDense(in_features: Int, out_features: Int, act: Bool = false, approximate: String = "none") {
  dense = Linear(in_features, out_features)
  forward(x: [..., in_features]) -> [..., out_features] {
    if act { return gelu(dense(x), approximate: approximate) }
    return dense(x)
  }
}

## HF `ViTAttention`: `attention` (q/k/v) and `output.dense`.
block ViTAttention(width: Int, heads: Int, bias: Bool = true) {
  attention = ViTSelfAttention(width, heads, bias: bias)
  output = ViTDense(width, width)
  forward(x: [B, T, width], mask: [B, T] = none) -> [B, T, width] {
    return output(attention(x, mask: mask))
  }
}

## HF `ViTLayer` (and `ViltLayer`): pre-LN, with `layernorm_before` / `layernorm_after`.
## `approximate`: the MLP's gelu, exact ("none", HF's) or "tanh" (Flax's default, scenic's).
block ViTLayer(width: Int, heads: Int, hidden: Int = 4 * width, eps: Float = 1e-12, bias: Bool = true,
               approximate: String = "none") {
  attention = ViTAttention(width, heads, bias: bias)
  intermediate = ViTDense(width, hidden, act: true, approximate: approximate)
  output = ViTDense(hidden, width)
  layernorm_before = LayerNorm(width, eps: eps)
  layernorm_after = LayerNorm(width, eps: eps)
  forward(x: [B, T, width], mask: [B, T] = none) -> [B, T, width] {
    x = x + attention(layernorm_before(x), mask: mask)
    return x + output(intermediate(layernorm_after(x)))
  }
}

## HF `ViTEncoder`: `layer.0` ... `layer.{depth-1}`.
block ViTEncoder(width: Int, depth: Int, heads: Int, hidden: Int = 4 * width, eps: Float = 1e-12) {
  layer = repeat depth ViTLayer(width, heads, hidden: hidden, eps: eps)
  forward(x: [B, T, width], mask: [B, T] = none) -> [B, T, width] {
    return layer(x, mask: mask)
  }
}

## HF `ViTPatchEmbeddings`: a patch convolution with a bias, named `projection`.
block ViTPatchEmbeddings(image: Int, patch: Int, width: Int, channels: Int = 3) where image % patch == 0 {
  projection = PatchEmbed(channels, width, patch)
  forward(pixel_values: [B, channels, image, image]) -> [B, (image / patch) ** 2, width] {
    return projection(pixel_values)
  }
}

## HF `ViTEmbeddings`: `cls_token` [1, 1, width], `position_embeddings` [1, n + 1, width].
block ViTEmbeddings(image: Int, patch: Int, width: Int) where image % patch == 0 {
  let tokens = (image / patch) ** 2 + 1
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  patch_embeddings = ViTPatchEmbeddings(image, patch, width)
  param position_embeddings: [1, tokens, width] init trunc_normal(std: 0.02)
  forward(pixel_values: [B, 3, image, image]) -> [B, tokens, width] {
    let x = concat([expand(cls_token, [B, 1, width]), patch_embeddings(pixel_values)], axis: 1)
    return x + position_embeddings
  }
}

## HF `ViTPooler` (and `ViltPooler`): tanh(dense(x[:, 0])).
block ViTPooler(width: Int) {
  dense = Linear(width, width)
  forward(x: [B, T, width]) -> [B, width] {
    return tanh(dense(x[:, 0]))
  }
}

## HF `ViTModel`: embeddings, encoder, final `layernorm`, optional pooler.
tower ViTModel(image: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12, heads: Int = 12,
               hidden: Int = 4 * width, eps: Float = 1e-12, add_pooling_layer: Bool = true)
  where image % patch == 0, width % heads == 0 {
  let tokens = (image / patch) ** 2 + 1
  embeddings = ViTEmbeddings(image, patch, width)
  encoder = ViTEncoder(width, depth, heads, hidden: hidden, eps: eps)
  layernorm = LayerNorm(width, eps: eps)
  pooler = ViTPooler(width) if add_pooling_layer

  # timm's `VisionTransformer` (ALBEF, TCL, BLIP: models/vit.py): q, k, v packed in `qkv`.
  layout timm {
    "embeddings.cls_token": "cls_token"
    "embeddings.position_embeddings": "pos_embed"
    "embeddings.patch_embeddings.projection.*": "patch_embed.proj.*"
    "encoder.layer.*.attention.attention.{query,key,value}.*": split("blocks.*.attn.qkv.*")
    "encoder.layer.*.attention.output.dense.*": "blocks.*.attn.proj.*"
    "encoder.layer.*.layernorm_before.*": "blocks.*.norm1.*"
    "encoder.layer.*.layernorm_after.*": "blocks.*.norm2.*"
    "encoder.layer.*.intermediate.dense.*": "blocks.*.mlp.fc1.*"
    "encoder.layer.*.output.dense.*": "blocks.*.mlp.fc2.*"
    "layernorm.*": "norm.*"
  }

  # Hugging Face's `BlipVisionModel` (modeling_blip.py), timm's names renamed again.
  layout hf_blip {
    "embeddings.cls_token": "embeddings.class_embedding"
    "embeddings.position_embeddings": "embeddings.position_embedding"
    "embeddings.patch_embeddings.projection.*": "embeddings.patch_embedding.*"
    "encoder.layer.*.attention.attention.{query,key,value}.*": split("encoder.layers.*.self_attn.qkv.*")
    "encoder.layer.*.attention.output.dense.*": "encoder.layers.*.self_attn.projection.*"
    "encoder.layer.*.layernorm_before.*": "encoder.layers.*.layer_norm1.*"
    "encoder.layer.*.layernorm_after.*": "encoder.layers.*.layer_norm2.*"
    "encoder.layer.*.intermediate.dense.*": "encoder.layers.*.mlp.fc1.*"
    "encoder.layer.*.output.dense.*": "encoder.layers.*.mlp.fc2.*"
    "layernorm.*": "post_layernorm.*"
  }

  forward(pixel_values: [B, 3, image, image]) -> (last_hidden_state: [B, tokens, width], pooler_output: [B, width]) {
    let x = layernorm(encoder(embeddings(pixel_values)))
    last_hidden_state = x
    # Without a pooler, the class token stands in (what HF's image classifiers read).
    pooler_output = x[:, 0]
    if add_pooling_layer {
      pooler_output = pooler(x)
    }
  }
}
