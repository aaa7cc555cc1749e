# EVA ViT-g/14 (Fang et al., 2023) as BLIP-2 uses it: the first 39 of EVA-CLIP's 40 blocks
# (the last block is dropped: BLIP-2 reads the second-to-last layer's features), width 1408,
# 16 heads of 88, MLP 6144 (mlp_ratio 4.3637), gelu, 224x224 images in 14x14 patches (257
# tokens), and the `ln_vision` LayerNorm that BLIP-2 puts on top.
#
# Names are Hugging Face's `Blip2VisionModel` (also `InstructBlipVisionModel`):
# embeddings.{class_embedding, patch_embedding, position_embedding}, encoder.layers.N.
# {self_attn.qkv, self_attn.projection, layer_norm1, mlp.fc1, mlp.fc2, layer_norm2},
# post_layernorm. Mapping from LAVIS/EVA (`visual_encoder.*`, used by BLIP-2, InstructBLIP,
# MiniGPT-4): blocks.N.attn.qkv -> encoder.layers.N.self_attn.qkv, blocks.N.attn.proj ->
# self_attn.projection, norm1/norm2 -> layer_norm1/layer_norm2, cls_token -> class_embedding,
# pos_embed -> position_embedding, patch_embed.proj -> patch_embedding, and BLIP-2's
# `ln_vision` -> post_layernorm. EVA's separate `q_bias` and `v_bias` are one `qkv.bias`
# here, as HF's conversion writes it (q_bias, zeros for k, v_bias): 1408 more parameters per
# layer than the original checkpoint holds, as in HF's.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"

## BLIP-2's vision attention (HF `Blip2Attention`): one packed `qkv` projection and an
## output `projection`.
block Blip2Attention(width: Int, heads: Int) where width % heads == 0 {
  qkv = Linear(width, 3 * width)
  projection = Linear(width, width)
  forward(x: [B, T, width]) -> [B, T, width] {
    let (q, k, v) = split(qkv(x), [width, width, width], axis: -1)
    return projection(attention(q, k, v, heads: heads))
  }
}

## A pre-LN layer (HF `Blip2EncoderLayer`).
block Blip2EncoderLayer(width: Int, heads: Int, hidden: Int, eps: Float) {
  self_attn = Blip2Attention(width, heads)
  layer_norm1 = LayerNorm(width, eps: eps)
  mlp = MLP(width, hidden, act: Act.gelu)
  layer_norm2 = LayerNorm(width, eps: eps)
  forward(x: [B, T, width]) -> [B, T, width] {
    x = x + self_attn(layer_norm1(x))
    return x + mlp(layer_norm2(x))
  }
}

block Blip2Encoder(width: Int, depth: Int, heads: Int, hidden: Int, eps: Float) {
  layers = repeat depth Blip2EncoderLayer(width, heads, hidden, eps)
  forward(x: [B, T, width]) -> [B, T, width] {
    return layers(x)
  }
}

## Patches, a class embedding and learned positions (HF `Blip2VisionEmbeddings`).
block Blip2VisionEmbeddings(image: Int, patch: Int, width: Int) where image % patch == 0 {
  let tokens = (image / patch) ** 2 + 1
  param class_embedding: [1, 1, width] init trunc_normal(std: 0.02)
  patch_embedding = PatchEmbed(3, width, patch)
  param position_embedding: [1, tokens, width] init trunc_normal(std: 0.02)
  forward(pixel_values: [B, 3, image, image]) -> [B, tokens, width] {
    let cls = expand(class_embedding, [B, 1, width])
    return concat([cls, patch_embedding(pixel_values)], axis: 1) + position_embedding
  }
}

## EVA ViT-g/14 with 39 blocks (HF `Blip2VisionModel`). The output is every token after
## `post_layernorm` (BLIP-2's `ln_vision`): the keys and values of the Q-Former's
## cross-attention.
tower Blip2VisionModel(image: Int = 224, patch: Int = 14, width: Int = 1408, depth: Int = 39,
                       heads: Int = 16, hidden: Int = 6144, eps: Float = 1e-6)
  where image % patch == 0, width % heads == 0 {
  let tokens = (image / patch) ** 2 + 1
  embeddings = Blip2VisionEmbeddings(image, patch, width)
  encoder = Blip2Encoder(width, depth, heads, hidden, eps)
  post_layernorm = LayerNorm(width, eps: eps)
  forward(pixel_values: [B, 3, image, image]) -> [B, tokens, width] {
    return post_layernorm(encoder(embeddings(pixel_values)))
  }
}
