# LLaMA (Touvron et al., 2023) and the models fine-tuned from it (Vicuna): a decoder-only
# transformer with pre-RMSNorm layers, rotary position embeddings, SwiGLU feed-forwards and no
# biases. LLaMA-7B / Vicuna-7B: vocabulary 32000, width 4096, 32 layers of 32 heads (128 each),
# SwiGLU 11008, RMSNorm eps 1e-6, rope theta 10000, untied `lm_head`.
#
# Names are Hugging Face's `LlamaForCausalLM`: model.embed_tokens, model.layers.N.
# {input_layernorm, self_attn.{q_proj,k_proj,v_proj,o_proj}, post_attention_layernorm,
# mlp.{gate_proj,up_proj,down_proj}}, model.norm, lm_head. The rotary embedding has no
# parameters (HF keeps `inv_freq` as a non-persistent buffer); its cos/sin tables are computed
# here with ops in `self_attn.rotary_emb`, where older HF versions (and MiniGPT-4's copy of
# modeling_llama.py) put it.
#
# `lora: r` adds LoRA adapters of rank r to q_proj and v_proj (PEFT's default targets for
# LLaMA), named as PEFT saves them: `q_proj.lora_A.weight` [r, in], `q_proj.lora_B.weight`
# [out, r], next to the frozen `q_proj.weight`.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"

## LoRA's up-projection, zero-initialized so that an adapter starts as the identity.
block LoraUp(rank: Int, out_features: Int) {
  param weight: [out_features, rank] init zeros
  forward(x: [..., rank]) -> [..., out_features] {
    return linear(x, weight)
  }
}

## A bias-free dense layer with an optional low-rank adapter (Hu et al., 2021):
## y = x W^T + (alpha / rank) * B(A(x)).
block LoraLinear(in_features: Int, out_features: Int, rank: Int = 0, alpha: Float = 16.0) {
  param weight: [out_features, in_features] init kaiming_uniform
  lora_A = Linear(in_features, rank, bias: false) if rank > 0
  lora_B = LoraUp(rank, out_features) if rank > 0
  forward(x: [..., in_features]) -> [..., out_features] {
    if rank > 0 {
      return linear(x, weight) + lora_B(lora_A(x)) * (alpha / rank)
    }
    return linear(x, weight)
  }
}

## Rotary position embedding (Su et al., 2021) in HF's rotate-half layout: the angle of
## position p in pair i is p * theta^(-2i/dim); cos and sin are computed from the positions.
block LlamaRotaryEmbedding(dim: Int, theta: Float = 10000.0) where dim % 2 == 0 {
  forward(x: [B, H, T, dim]) -> [B, H, T, dim] {
    let inv_freq = 1.0 / theta ** (cast(arange(dim / 2), "float32") * 2.0 / dim)
    let freqs = unsqueeze(cast(arange(T), "float32"), 1) * unsqueeze(inv_freq, 0)
    let angles = concat([freqs, freqs], axis: -1)
    let (x1, x2) = split(x, [dim / 2, dim / 2], axis: -1)
    let rotated = concat([-x2, x1], axis: -1)
    return x * cos(angles) + rotated * sin(angles)
  }
}

## Causal multi-head self-attention with rotary positions on queries and keys.
block LlamaAttention(width: Int, heads: Int, theta: Float = 10000.0, lora: Int = 0)
  where width % heads == 0 {
  let head_dim = width / heads
  q_proj = LoraLinear(width, width, rank: lora)
  k_proj = LoraLinear(width, width)
  v_proj = LoraLinear(width, width, rank: lora)
  o_proj = LoraLinear(width, width)
  rotary_emb = LlamaRotaryEmbedding(head_dim, theta)
  forward(x: [B, T, width], mask: [...] bool = none) -> [B, T, width] {
    let q = rotary_emb(permute(reshape(q_proj(x), [B, T, heads, head_dim]), [0, 2, 1, 3]))
    let k = rotary_emb(permute(reshape(k_proj(x), [B, T, heads, head_dim]), [0, 2, 1, 3]))
    let v = permute(reshape(v_proj(x), [B, T, heads, head_dim]), [0, 2, 1, 3])
    let y = scaled_dot_product(q, k, v, mask: mask, causal: true)
    return o_proj(reshape(permute(y, [0, 2, 1, 3]), [B, T, width]))
  }
}

block LlamaDecoderLayer(width: Int, heads: Int, hidden: Int, eps: Float, theta: Float, lora: Int) {
  self_attn = LlamaAttention(width, heads, theta: theta, lora: lora)
  mlp = SwiGLU(width, hidden)
  input_layernorm = RMSNorm(width, eps: eps)
  post_attention_layernorm = RMSNorm(width, eps: eps)
  forward(x: [B, T, width], mask: [...] bool = none) -> [B, T, width] {
    x = x + self_attn(input_layernorm(x), mask: mask)
    return x + mlp(post_attention_layernorm(x))
  }
}

## The decoder stack (HF `LlamaModel`). It takes embeddings, so that multimodal models can
## splice image tokens between the word embeddings (`embed_tokens`) before calling it.
block LlamaModel(vocab: Int, width: Int, depth: Int, heads: Int, hidden: Int, eps: Float,
                 theta: Float, lora: Int) {
  embed_tokens = Embedding(vocab, width)
  layers = repeat depth LlamaDecoderLayer(width, heads, hidden, eps, theta, lora)
  norm = RMSNorm(width, eps: eps)
  forward(inputs_embeds: [B, T, width], mask: [...] bool = none) -> [B, T, width] {
    return norm(layers(inputs_embeds, mask: mask))
  }
}

## LLaMA with its language-model head (HF `LlamaForCausalLM`), LLaMA-7B / Vicuna-7B by
## default. `mask` (bool, true where a key may be attended, e.g. [B, 1, 1, T] for padding) is
## combined with the causal mask.
tower LlamaForCausalLM(vocab: Int = 32000, width: Int = 4096, depth: Int = 32, heads: Int = 32,
                       hidden: Int = 11008, eps: Float = 1e-6, theta: Float = 10000.0, lora: Int = 0)
  where width % heads == 0 {
  model = LlamaModel(vocab, width, depth, heads, hidden, eps, theta, lora)
  lm_head = Linear(width, vocab, bias: false)
  forward(inputs_embeds: [B, T, width], mask: [...] bool = none)
    -> (logits: [B, T, vocab], hidden_states: [B, T, width]) {
    let h = model(inputs_embeds, mask: mask)
    hidden_states = h
    logits = lm_head(h)
  }
}
