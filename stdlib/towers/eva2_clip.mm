# EVA2-CLIP-E (Sun et al., 2023, "EVA-CLIP: Improved Training Techniques for CLIP at Scale")
# as CogVLM uses it: the image tower of EVA02-CLIP-E/14 without its last layer (the official
# CogVLM code keeps 63 of the 64 layers: the last one only served the contrastive [CLS]
# feature), width 1792, 16 heads of 112, MLP 15360, gelu, LayerNorm eps 1e-6, 490x490 images
# in 14x14 patches (35 x 35 = 1225 patches and a [CLS] token: 1226 positions). Its layers are
# "sandwich" post-norm: the LayerNorm is applied to each branch's output before the residual
# sum (x + LN(attn(x)), x + LN(mlp(x))), as the official `TransformerLayer` does.
#
# On top of the ViT sit CogVLM's adapter and two learned boundary embeddings, which the
# official Hugging Face code (THUDM/cogvlm-chat-hf, `visual.py`) keeps inside the vision
# module: the [CLS] output is dropped, the 1225 patch features go through a SwiGLU adapter
# (`GLU`: a bias-free projection 1792 -> 4096, LayerNorm, gelu, then a bias-free SwiGLU with
# inner width 11008) into the language model's width, and `boi` / `eoi` (begin / end of
# image) are put around them: 1227 vision tokens.
#
# Names are the official HF code's (`model.vision.*` in CogVLMForCausalLM):
# patch_embedding.{proj, cls_embedding, position_embedding}, transformer.layers.N.
# {input_layernorm, attention.{query_key_value, dense}, mlp.{fc1, fc2},
# post_attention_layernorm}, linear_proj.{linear_proj, norm1, gate_proj, dense_h_to_4h,
# dense_4h_to_h}, boi, eoi. No exceptions.

import { Linear, LayerNorm, Embedding, PatchEmbed, Act } from "std/nn/layers.mm"
import { MLP } from "std/nn/mlp.mm"
import { QKVAttention } from "std/nn/attention.mm"

## Patch embedding (official `PatchEmbedding`): a patch convolution with a bias (`proj`), a
## [CLS] embedding [1, width] and learned positions (an nn.Embedding of `positions` rows).
block EVA2CLIPPatchEmbedding(image: Int, patch: Int, width: Int, channels: Int = 3)
  where image % patch == 0 {
  let positions = (image / patch) ** 2 + 1
  proj = PatchEmbed(channels, width, patch)
  param cls_embedding: [1, width] init zeros
  position_embedding = Embedding(positions, width)
  forward(images: [B, channels, image, image]) -> [B, positions, width] {
    let cls = expand(reshape(cls_embedding, [1, 1, width]), [B, 1, width])
    return concat([cls, proj(images)], axis: 1) + position_embedding.weight
  }
}

## One layer (official `TransformerLayer`): the norms follow the branches (x + LN(f(x))).
block EVA2CLIPTransformerLayer(width: Int, heads: Int, hidden: Int, eps: Float) {
  input_layernorm = LayerNorm(width, eps: eps)
  attention = QKVAttention(width, heads)
  mlp = MLP(width, hidden, act: Act.gelu)
  post_attention_layernorm = LayerNorm(width, eps: eps)
  forward(x: [B, T, width]) -> [B, T, width] {
    x = x + input_layernorm(attention(x))
    return x + post_attention_layernorm(mlp(x))
  }
}

block EVA2CLIPTransformer(width: Int, depth: Int, heads: Int, hidden: Int, eps: Float) {
  layers = repeat depth EVA2CLIPTransformerLayer(width, heads, hidden, eps)
  forward(x: [B, T, width]) -> [B, T, width] {
    return layers(x)
  }
}

## CogVLM's adapter (official `GLU`): a bias-free projection into the language model's width,
## LayerNorm and gelu, then a SwiGLU (silu(gate_proj) * dense_h_to_4h, then dense_4h_to_h),
## all without biases.
block EVA2CLIPGLU(in_features: Int, width: Int, hidden: Int) {
  linear_proj = Linear(in_features, width, bias: false)
  norm1 = LayerNorm(width)
  dense_h_to_4h = Linear(width, hidden, bias: false)
  gate_proj = Linear(width, hidden, bias: false)
  dense_4h_to_h = Linear(hidden, width, bias: false)
  forward(x: [..., in_features]) -> [..., width] {
    let h = gelu(norm1(linear_proj(x)))
    return dense_4h_to_h(silu(gate_proj(h)) * dense_h_to_4h(h))
  }
}

## EVA2-CLIP-E/14 without its last layer, with CogVLM's adapter and boundary tokens (official
## `EVA2CLIPModel`). The output is [boi; adapter(patches); eoi]: (image / patch) ** 2 + 2
## tokens of the language model's width `out` (1227 x 4096 for CogVLM-17B).
tower EVA2CLIPModel(image: Int = 490, patch: Int = 14, width: Int = 1792, depth: Int = 63,
                    heads: Int = 16, hidden: Int = 15360, eps: Float = 1e-6,
                    out: Int = 4096, adapter_hidden: Int = 11008)
  where image % patch == 0, width % heads == 0 {
  let tokens = (image / patch) ** 2 + 2
  patch_embedding = EVA2CLIPPatchEmbedding(image, patch, width)
  transformer = EVA2CLIPTransformer(width, depth, heads, hidden, eps)
  linear_proj = EVA2CLIPGLU(width, out, adapter_hidden)
  param boi: [1, 1, out] init zeros
  param eoi: [1, 1, out] init zeros
  forward(images: [B, 3, image, image]) -> [B, tokens, out] {
    let x = transformer(patch_embedding(images))
    let features = linear_proj(x[:, 1:])
    return concat([expand(boi, [B, 1, out]), features, expand(eoi, [B, 1, out])], axis: 1)
  }
}
