# A sparse mixture of experts (Mixtral-style, top-2 of 8) in the decoder of a small LLaVA-style
# vision-language model: patch encoder -> MLP projector -> a causal decoder whose feed-forward
# is routed per token. Trained with next-token prediction plus the Switch/Mixtral
# load-balancing loss, which reads the router's probabilities and choices from the same call
# (`moe(x).router_probs`, `.expert_mask`) rather than calling the gate twice.
#
#   mm summary examples/moe.mm     (dense and active parameters, MACs and FLOPs)
#   mm run examples/moe.mm         (WebGPU on Dawn, within the default 8 storage buffers)
#
# The lowering is dense: every expert runs on every token and the mixture multiplies the
# unchosen ones by zero, so the graph computes what a sparse dispatch computes, at the dense
# cost. The "active" figures that summary, params and diff print are what a sparse kernel
# would spend: the gate plus the k largest experts of each routed block.

import "std/nn/layers.mm"
import "std/nn/mlp.mm"
import "std/nn/attention.mm"
import "std/nn/transformer.mm"

## Routed feed-forward: `gate` scores the experts per token; the top `k` mix, weighted by
## their softmax renormalised over the k (Mixtral's MixtralSparseMoeBlock).
experts SparseMoE(width: Int, hidden: Int, n: Int = 8, k: Int = 2) {
  gate = Linear(width, n, bias: false)
  experts = repeat n SwiGLU(width, hidden)
  route topk(k, gate: gate)
}

## A pre-norm causal decoder layer whose feed-forward is the routed mixture; it returns the
## router's probabilities and choices beside the hidden states, for the balancing loss.
block MoEDecoderLayer(width: Int, heads: Int, hidden: Int, n: Int, k: Int) {
  input_layernorm = RMSNorm(width)
  self_attn = Attention(width, heads, bias: false)
  post_attention_layernorm = RMSNorm(width)
  block_sparse_moe = SparseMoE(width, hidden, n: n, k: k)
  forward(x: [B, T, width]) -> (h: [B, T, width], router_probs: [B, T, n], expert_mask: [B, T, n]) {
    x = x + self_attn(input_layernorm(x), causal: true)
    let y = block_sparse_moe(post_attention_layernorm(x))
    h = x + y
    router_probs = y.router_probs
    expert_mask = y.expert_mask
  }
}

model TinyMoEVLM(width: Int = 64, depth: Int = 2, heads: Int = 4, hidden: Int = 128,
                 n: Int = 8, k: Int = 2, vocab: Int = 1000, words: Int = 16,
                 image: Int = 32, patch: Int = 8, vision_width: Int = 48, aux_coef: Float = 0.02) {
  let patches = (image / patch) ** 2
  patch_embed = PatchEmbed(3, vision_width, patch)
  vision = Encoder(vision_width, 2, 4)
  projector = MLP(vision_width, width, out: width)
  embed_tokens = Embedding(vocab, width)
  layers = repeat depth MoEDecoderLayer(width, heads, hidden, n, k)
  norm = RMSNorm(width)
  lm_head = Linear(width, vocab, bias: false)

  input pixels: [B, 3, image, image]
  input tokens: [B, words] int64
  input labels: [B, words] int64

  forward {
    let h = concat([projector(vision(patch_embed(pixels))), embed_tokens(tokens)], axis: 1)
    # Mixtral's balancing loss over all layers' tokens: n * sum_e f_e * P_e, with f_e the
    # fraction of routing choices that picked expert e and P_e its mean probability (every
    # layer sees the same tokens, so the mean over layers of per-layer means is the mean).
    let f = zeros([n])
    let p = zeros([n])
    for layer in layers {
      let r = layer(h)
      h = r.h
      f = f + mean(r.expert_mask, axes: [0, 1]) / depth
      p = p + mean(r.router_probs, axes: [0, 1]) / depth
    }
    let logits = lm_head(norm(h))[:, patches:]
    output logits = logits
    loss lm = cross_entropy(logits[:, :-1], labels[:, 1:], axis: -1)
    loss balance = aux_coef * n * sum(f * p)
  }

  task generate { outputs: logits; inputs: pixels, tokens }
  task pretrain { losses: lm, balance }
}
