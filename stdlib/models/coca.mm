# CoCa: Contrastive Captioners (Yu et al., 2022). No official code was released; the configs
# are the paper's (Table 1) and the names OpenCLIP's (`coca_model.py`: visual, text,
# text_decoder, logit_scale; towers built of `ResidualAttentionBlock`s with
# nn.MultiheadAttention, `mlp.c_fc`/`mlp.c_proj`, `AttentionalPooler`).
# OpenCLIP's own CoCa (the released checkpoints) is a different network, one MLP more per
# multimodal layer among other things: it is std/models/coca_openclip.mm, which its fidelity
# reference proves; no code exists to prove the paper's layout against.
#
# - visual: a ViT (patch 18 at 288x288: 256 tokens, no class token) whose tokens are pooled
#   twice by attentional poolers: `attn_pool` (256 queries) gives the tokens the multimodal
#   decoder attends to, `attn_pool_contrastive` (1 query, on those 256) the image embedding.
# - text: the unimodal text decoder, causal, with a learned [CLS] embedding appended to the
#   input; its output at [CLS] (after ln_final) is the text embedding.
# - text_decoder: the multimodal text decoder; every layer has causal self-attention,
#   cross-attention into the pooled image tokens, and an MLP; an untied output projection
#   to the 64k sentencepiece vocabulary.
# Losses: contrastive (symmetric InfoNCE, learned temperature) + captioning (next-token
# cross-entropy), weighted 1 and 2.
#
# Differences from OpenCLIP's CoCa, to follow the paper: the ViT has no class token and no
# output projection (the contrastive pooler gives the embedding), the poolers are cascaded
# (the contrastive pooler attends to the captioning pooler's 256 tokens: the paper's default,
# which its ablation prefers; torchmultimodal's `cascaded_pooler=True`), the text embedding
# has no projection, and a multimodal layer
# is one block (self-attention, cross-attention, MLP) named `text_decoder.resblocks.N` with
# `ln_1, attn, ln_cross, cross_attn, ln_2, mlp` (OpenCLIP keeps separate `resblocks` and
# `cross_attn` stacks, each with its own MLP).
#
# Parameter counts against the paper's Table 1 (image encoder / text decoder / total). The
# "image encoder" is the ViT (patch embedding, positions, layers, LayerNorms) without the
# poolers; the "text decoder" is both decoders with the 64k token embedding and the untied
# output projection; the poolers and logit_scale are in neither.
#   CoCa-Base:  86,000,640 (86M)    + 296,842,752 (297M)   = 382,842,752 (383M): all match.
#   CoCa-Large: 303,570,944 (303M)  + 483,870,720 (484M)   = 787,441,664 (787M): the decoder
#               and total match, the image encoder is 303.57M against 303M (computed as
#               CoCa_Base with Large's dims; not defined here, as models.md does not list it).
#   CoCa:       1,011,741,696 (1B)  + 1,180,312,320 (1.1B) = 2,192,054,016 (2.1B): the decoder
#               and the total do not match.
# CoCa's 1.1B and 2.1B are reproduced only without the output projection (64,000 x 1408 =
# 90,112,000: 1,090,200,320 and 2,101,942,016), i.e. with it tied to the token embedding, but
# Base's 297M and Large's 484M need it untied (tied: 247,690,752 and 418,334,720). No other
# reading fits all three: the poolers (Base 4,928,256, Large 8,668,160, CoCa 16,244,096) break
# Base and Large and do not help CoCa; the decoders' biases, LayerNorms, positions and [CLS]
# embedding come to 926,464 in CoCa, against the 30.3M that 1.1B would need removed.
# So CoCa_Base records Table 1's 383M for the encoder and decoders, and CoCa keeps the untied
# projection (as Base, Large and OpenCLIP) with no published figure.

import "std/nn/layers.mm"
import "std/fusion/attentional_pooler.mm"
import { MultiheadAttention } from "std/nn/attention.mm"

block CocaMLP(width: Int, hidden: Int) {
  c_fc = Linear(width, hidden)
  c_proj = Linear(hidden, width)
  forward(x: [..., width]) -> [..., width] {
    return c_proj(gelu(c_fc(x)))
  }
}

## OpenCLIP's pre-LN transformer layer.
block ResidualAttentionBlock(width: Int, heads: Int, hidden: Int) {
  ln_1 = LayerNorm(width)
  attn = MultiheadAttention(width, heads)
  ln_2 = LayerNorm(width)
  mlp = CocaMLP(width, hidden)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    x = x + attn(ln_1(x), causal: causal)
    return x + mlp(ln_2(x))
  }
}

block Transformer(width: Int, layers: Int, heads: Int, hidden: Int) {
  resblocks = repeat layers ResidualAttentionBlock(width, heads, hidden)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    for block in resblocks {
      x = block(x, causal: causal)
    }
    return x
  }
}

## The image encoder with its two attentional poolers (of the decoder's width).
tower CocaVisionTransformer(image: Int = 288, patch: Int = 18, width: Int = 768, layers: Int = 12,
                            heads: Int = 12, mlp: Int = 3072, output_width: Int = width,
                            pool_heads: Int = heads, caption_queries: Int = 256)
  where image % patch == 0 {
  let grid = image / patch
  conv1 = PatchEmbed(3, width, patch, bias: false)
  param positional_embedding: [grid * grid, width] init normal(std: width ** -0.5)
  ln_pre = LayerNorm(width)
  transformer = Transformer(width, layers, heads, mlp)
  ln_post = LayerNorm(width)
  attn_pool = AttentionalPooler(output_width, width, heads: pool_heads, queries: caption_queries)
  attn_pool_contrastive = AttentionalPooler(output_width, output_width, heads: pool_heads, queries: 1)

  forward(pixels: [B, 3, image, image]) -> (pooled: [B, output_width], tokens: [B, caption_queries, output_width]) {
    let x = ln_post(transformer(ln_pre(conv1(pixels) + positional_embedding)))
    tokens = attn_pool(x)
    pooled = squeeze(attn_pool_contrastive(tokens), 1)
  }
}

## The unimodal text decoder: causal layers over the tokens and a [CLS] appended at the end.
tower CocaTextTransformer(vocab: Int = 64_000, context: Int = 76, width: Int = 768, layers: Int = 12,
                          heads: Int = 12, mlp: Int = 3072) {
  token_embedding = Embedding(vocab, width)
  param positional_embedding: [context + 1, width] init normal(std: 0.01)
  param cls_emb: [width] init normal(std: 0.01)
  transformer = Transformer(width, layers, heads, mlp)
  ln_final = LayerNorm(width)

  forward(text: [B, context] int64) -> (pooled: [B, width], tokens: [B, context, width]) {
    let cls = expand(reshape(cls_emb, [1, 1, width]), [B, 1, width])
    let x = concat([token_embedding(text), cls], axis: 1) + positional_embedding
    x = transformer(x, causal: true)
    pooled = ln_final(x[:, context])
    tokens = x[:, 0:context]
  }
}

## A multimodal decoder layer: causal self-attention, cross-attention into the image, MLP.
block CocaMultimodalLayer(width: Int, heads: Int, hidden: Int, context_width: Int = width) {
  ln_1 = LayerNorm(width)
  attn = MultiheadAttention(width, heads)
  ln_cross = LayerNorm(width)
  cross_attn = MultiheadAttention(width, heads, kv_width: context_width)
  ln_2 = LayerNorm(width)
  mlp = CocaMLP(width, hidden)
  forward(x: [B, T, width], image: [B, S, context_width]) -> [B, T, width] {
    x = x + attn(ln_1(x), causal: true)
    x = x + cross_attn(ln_cross(x), context: image)
    return x + mlp(ln_2(x))
  }
}

## The multimodal text decoder, ending in an untied projection to the vocabulary.
tower CocaMultimodalDecoder(vocab: Int = 64_000, width: Int = 768, layers: Int = 12, heads: Int = 12,
                            mlp: Int = 3072, context_width: Int = width) {
  resblocks = repeat layers CocaMultimodalLayer(width, heads, mlp, context_width: context_width)
  ln_final = LayerNorm(width)
  param text_projection: [width, vocab] init normal(std: width ** -0.5)
  forward(x: [B, T, width], image: [B, S, context_width]) -> [B, T, vocab] {
    for layer in resblocks {
      x = layer(x, image)
    }
    return ln_final(x) @ text_projection
  }
}

## CoCa-Base: ViT-B/18 image encoder (12 layers, 768, MLP 3072), 12 unimodal + 12 multimodal
## decoder layers (768, MLP 3072, 12 heads).
## published: 383M of visual.conv1 + visual.positional_embedding + visual.ln_pre + visual.transformer + visual.ln_post + text + text_decoder (CoCa paper, Table 1: 86M image encoder + 297M text decoder; counts the ViT, 86,000,640, and both decoders with the token embedding and untied output projection, 296,842,752: 382,842,752; not the two attentional poolers, 4,928,256, or logit_scale)
model CoCa_Base(contrastive_weight: Float = 1.0, caption_weight: Float = 2.0) {
  text = CocaTextTransformer()
  visual = CocaVisionTransformer(output_width: text.width)
  text_decoder = CocaMultimodalDecoder(vocab: text.vocab, width: text.width, layers: text.layers,
                                       heads: text.heads, mlp: text.mlp, context_width: text.width)
  param logit_scale: [] init const(2.6592)

  input image: [B, 3, visual.image, visual.image]
  input tokens: [B, text.context + 1] int64      # [BOS] caption [EOS] (padded)

  forward {
    let (image_latent, image_tokens) = visual(image)
    let (text_latent, token_embs) = text(tokens[:, 0:text.context])
    let image_embeds = normalize(image_latent)
    let text_embeds = normalize(text_latent)
    let logits = exp(logit_scale) * image_embeds @ text_embeds.T
    output image_features = image_embeds
    output text_features = text_embeds
    output logits_per_image: [B, B] = logits
    loss contrastive = contrastive_weight * (cross_entropy(logits, arange(B)) + cross_entropy(logits.T, arange(B))) / 2.0
    let caption_logits = text_decoder(token_embs, image_tokens)
    output caption_logits = caption_logits
    loss caption = caption_weight * cross_entropy(caption_logits, tokens[:, 1:], axis: -1)
  }

  task retrieval { outputs: image_features, text_features, logits_per_image }
  task captioning { outputs: caption_logits; losses: caption }
  task pretrain { losses: contrastive, caption }
  stage pretrain { train: visual, text, text_decoder, logit_scale; tasks: pretrain }
}

## CoCa (the 2.1B model): ViT-g-like image encoder (40 layers, 1408, MLP 6144, 16 heads),
## 18 unimodal + 18 multimodal decoder layers (1408, MLP 5632, 16 heads).
## published: none (paper Table 1 gives 2.1B = 1B image encoder + 1.1B text decoder; counted as for CoCa_Base, Table 1's configuration gives 1,011,741,696 + 1,180,312,320 = 2,192,054,016 (2.19B), and 2,208,298,113 with the poolers; 1.1B and 2.1B fit only without the untied 90,112,000 output projection, which Base's 297M and Large's 484M need: see the file header)
model CoCa = CoCa_Base with {
  visual.width = 1408
  visual.layers = 40
  visual.heads = 16
  visual.mlp = 6144
  text.width = 1408
  text.layers = 18
  text.heads = 16
  text.mlp = 5632
}

model CoCa_Base_Tiny = CoCa_Base with {
  visual.image = 32
  visual.patch = 8
  visual.width = 64
  visual.layers = 2
  visual.heads = 4
  visual.mlp = 128
  visual.caption_queries = 8
  text.vocab = 1000
  text.context = 15
  text.width = 64
  text.layers = 2
  text.heads = 4
  text.mlp = 128
}

model CoCa_Tiny = CoCa with {
  visual.image = 32
  visual.patch = 8
  visual.width = 48
  visual.layers = 2
  visual.heads = 4
  visual.mlp = 96
  visual.caption_queries = 8
  text.vocab = 1000
  text.context = 15
  text.width = 64
  text.layers = 2
  text.heads = 4
  text.mlp = 128
}
