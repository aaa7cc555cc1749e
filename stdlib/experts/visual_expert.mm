# CogVLM's visual expert (Wang et al., 2023, "CogVLM: Visual Expert for Pretrained Language
# Models"): every decoder layer of the language model gets a second copy of its QKV
# projection, attention output projection and SwiGLU feed-forward, used by the image tokens
# only; the text tokens keep the language model's own (frozen) weights. Both kinds of tokens
# meet in one causal self-attention. The layer norms are shared.
#
# Names are the official Hugging Face code's (THUDM/cogvlm-chat-hf, `modeling_cogvlm.py`):
# self_attn.{vision_expert_query_key_value, vision_expert_dense,
# language_expert_query_key_value, language_expert_dense}, mlp.{vision_mlp, language_mlp}.
# {gate_proj, up_proj, down_proj}, input_layernorm, post_attention_layernorm. All of them are
# bias-free in CogVLM-17B (CogVLM2's vision QKV has a bias; not this one).
#
# Routing. The official code computes masks from `token_type_ids`: a token goes to the
# vision expert when it and the next token are both image tokens, so the image's `boi` and
# its patches use the vision expert and its last token, `eoi`, the language expert. A CogVLM
# sequence is [text prefix (BOS ...); boi; patches; eoi; text], so here a call splits the
# sequence into three spans: `prefix` language tokens, `vision` vision-expert tokens (boi
# and the patches) and the rest (eoi and the text) for the language expert. The attention
# splits explicitly (its weights are siblings, not an experts block, in the checkpoint); the
# MLP is an `experts` block routed by modality, its experts named as the checkpoint's
# `vision_mlp` / `language_mlp`.
#
# Positions. All the patches of an image share one rotary position (official
# `build_position_ids`): BOS 0, boi 1, every patch 2, eoi 3, text 4, 5, ... The model
# computes the position ids and passes them down.

import { Linear, RMSNorm } from "std/nn/layers.mm"
import { SwiGLU } from "std/nn/mlp.mm"

## Rotary position embedding (rotate-half layout, as LLaMA) at given integer positions. The
## inverse frequencies theta ** (-2i / dim) are a buffer of the official checkpoint.
block CogVLMRotaryEmbedding(dim: Int, theta: Float = 10000.0) where dim % 2 == 0 {
  buffer inv_freq: [dim / 2] init geometric(ratio: theta ** (-2.0 / dim))
  forward(x: [B, H, T, dim], position_ids: [T] int64) -> [B, H, T, dim] {
    let freqs = unsqueeze(cast(position_ids, "float32"), 1) * unsqueeze(inv_freq, 0)
    let angles = concat([freqs, freqs], axis: -1)
    let (x1, x2) = split(x, [dim / 2, dim / 2], axis: -1)
    let rotated = concat([-x2, x1], axis: -1)
    return x * cos(angles) + rotated * sin(angles)
  }
}

## The feed-forward experts (official `VisionExpertMLP`): two LLaMA SwiGLUs.
experts VisionExpertMLP(width: Int, hidden: Int) {
  language_mlp = SwiGLU(width, hidden)
  vision_mlp = SwiGLU(width, hidden)
  route by modality
}

## Causal self-attention with per-modality QKV and output projections (official
## `VisionExpertAttention`). The sequence is [prefix | vision | rest]: the middle span uses
## the vision expert's weights, the others the language model's.
block VisionExpertAttention(width: Int, heads: Int, theta: Float = 10000.0)
  where width % heads == 0 {
  let head_dim = width / heads
  rotary_emb = CogVLMRotaryEmbedding(head_dim, theta)
  vision_expert_query_key_value = Linear(width, 3 * width, bias: false)
  vision_expert_dense = Linear(width, width, bias: false)
  language_expert_query_key_value = Linear(width, 3 * width, bias: false)
  language_expert_dense = Linear(width, width, bias: false)
  forward(x: [B, T, width], position_ids: [T] int64, prefix: Int, vision: Int) -> [B, T, width] {
    let sizes = [prefix, vision, T - prefix - vision]
    let (a, v, b) = split(x, sizes, axis: 1)
    let qkv = concat([language_expert_query_key_value(a), vision_expert_query_key_value(v),
                      language_expert_query_key_value(b)], axis: 1)
    let (q, k, val) = split(qkv, [width, width, width], axis: -1)
    let qh = rotary_emb(permute(reshape(q, [B, T, heads, head_dim]), [0, 2, 1, 3]), position_ids)
    let kh = rotary_emb(permute(reshape(k, [B, T, heads, head_dim]), [0, 2, 1, 3]), position_ids)
    let vh = permute(reshape(val, [B, T, heads, head_dim]), [0, 2, 1, 3])
    let y = reshape(permute(scaled_dot_product(qh, kh, vh, causal: true), [0, 2, 1, 3]), [B, T, width])
    let (ya, yv, yb) = split(y, sizes, axis: 1)
    return concat([language_expert_dense(ya), vision_expert_dense(yv), language_expert_dense(yb)], axis: 1)
  }
}

## A CogVLM decoder layer (official `CogVLMDecoderLayer`): pre-RMSNorm, visual-expert
## attention, visual-expert SwiGLU.
block CogVLMDecoderLayer(width: Int, heads: Int, hidden: Int, eps: Float, theta: Float = 10000.0) {
  self_attn = VisionExpertAttention(width, heads, theta: theta)
  mlp = VisionExpertMLP(width, hidden)
  input_layernorm = RMSNorm(width, eps: eps)
  post_attention_layernorm = RMSNorm(width, eps: eps)
  forward(x: [B, T, width], position_ids: [T] int64, prefix: Int, vision: Int) -> [B, T, width] {
    x = x + self_attn(input_layernorm(x), position_ids, prefix, vision)
    let h = post_attention_layernorm(x)
    return x + mlp(h, modality: ["language_mlp", "vision_mlp", "language_mlp"],
                   split: [prefix, vision, T - prefix - vision])
  }
}
