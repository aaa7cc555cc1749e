# Vision Transformers (Dosovitskiy et al., 2021): patches, a class token, learned positions,
# pre-LN transformer layers. Three checkpoint layouts are written here, because the models
# of the survey load weights from all three:
#
#   CLIPVisionTransformer   Hugging Face `CLIPVisionModel` (vision_model.embeddings.patch_embedding,
#                           pre_layrnorm, encoder.layers.N.self_attn.q_proj, post_layernorm);
#                           quick_gelu, eps 1e-5. CLIP, and the encoders that reuse CLIP's.
#   ViTModel                Hugging Face `ViTModel` (embeddings.patch_embeddings.projection,
#                           encoder.layer.N.attention.attention.query, layernorm_before, ...);
#                           gelu, eps 1e-12. ViLT's layers have the same names.
#   VisionTransformer       timm's layout as ALBEF, TCL and BLIP release it (`models/vit.py`:
#                           patch_embed.proj, cls_token, pos_embed, blocks.N.attn.qkv, norm);
#                           gelu, eps 1e-6.

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

# ---------------------------------------------------------------------------------------
# timm's layout (ALBEF, TCL, BLIP: models/vit.py)

## timm `Attention`: one packed `qkv` projection, split into q, k, v, and `proj`.
block TimmAttention(width: Int, heads: Int, qkv_bias: Bool = true) where width % heads == 0 {
  qkv = Linear(width, 3 * width, bias: qkv_bias)
  proj = Linear(width, width)
  forward(x: [B, T, width]) -> [B, T, width] {
    let (q, k, v) = split(qkv(x), [width, width, width], axis: -1)
    return proj(attention(q, k, v, heads: heads))
  }
}

## timm `Block`: pre-LN self-attention and MLP (fc1, fc2).
block TimmBlock(width: Int, heads: Int, mlp_ratio: Int = 4, qkv_bias: Bool = true, eps: Float = 1e-6) {
  norm1 = LayerNorm(width, eps: eps)
  attn = TimmAttention(width, heads, qkv_bias: qkv_bias)
  norm2 = LayerNorm(width, eps: eps)
  mlp = MLP(width, width * mlp_ratio)
  forward(x: [B, T, width]) -> [B, T, width] {
    x = x + attn(norm1(x))
    return x + mlp(norm2(x))
  }
}

## timm `PatchEmbed`: the patch convolution is `proj`.
block TimmPatchEmbed(image: Int, patch: Int, width: Int, channels: Int = 3) where image % patch == 0 {
  proj = PatchEmbed(channels, width, patch)
  forward(pixels: [B, channels, image, image]) -> [B, (image / patch) ** 2, width] {
    return proj(pixels)
  }
}

## The ViT of ALBEF/TCL/BLIP (timm layout, no classifier head): it returns every token after
## the final `norm`; the class token is position 0.
tower VisionTransformer(image: Int = 224, patch: Int = 16, width: Int = 768, depth: Int = 12,
                        heads: Int = 12, mlp_ratio: Int = 4, qkv_bias: Bool = true, eps: Float = 1e-6)
  where image % patch == 0, width % heads == 0 {
  let grid = image / patch
  let tokens = grid ** 2 + 1
  patch_embed = TimmPatchEmbed(image, patch, width)
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  param pos_embed: [1, tokens, width] init trunc_normal(std: 0.02)
  blocks = repeat depth TimmBlock(width, heads, mlp_ratio: mlp_ratio, qkv_bias: qkv_bias, eps: eps)
  norm = LayerNorm(width, eps: eps)
  forward(pixels: [B, 3, image, image]) -> [B, tokens, width] {
    let x = concat([expand(cls_token, [B, 1, width]), patch_embed(pixels)], axis: 1) + pos_embed
    return norm(blocks(x))
  }
}
