# CoCa as OpenCLIP releases it (mlfoundations/open_clip v3.2.0: `coca_model.py`,
# `transformer.py`, `model.py`, `loss.py`; configs `model_configs/coca_ViT-B-32.json` and
# `coca_ViT-L-14.json`, each released as `laion2b_s13b_b90k` and
# `mscoco_finetuned_laion2b_s13b_b90k` in `pretrained.py`: the public CoCa checkpoints, Google
# having released none). Names are OpenCLIP's state-dict names, so a released checkpoint maps
# one to one; test/fidelity/refs/coca.py checks the computation.
#
# Relation to stdlib/models/coca.mm: that file is the paper's CoCa (Yu et al., 2022; Google
# released no code) at its Table 1 sizes and layout: no class token, cascaded attentional
# poolers, one multimodal block per layer (self-attention, cross-attention, MLP), no text
# projection. OpenCLIP's CoCa differs in every one of these, and its released models are
# CLIP-sized (ViT-B/32 and ViT-L/14 image towers, CLIP's 49,408-token BPE vocabulary), not
# the paper's Base or 2.1B models. Towers are built of OpenCLIP's `ResidualAttentionBlock`s
# (nn.MultiheadAttention with a packed in_proj, `mlp.c_fc`/`mlp.c_proj`, exact GELU, LayerNorm
# eps 1e-5); the vision heads are width / 64 (OpenCLIP's head_width).
#
# - visual: OpenCLIP's `VisionTransformer` with `attentional_pool: true` (the released
#   configs: one pooler, which OpenCLIP's code calls "the original OpenCLIP CoCa setup, does
#   not match paper"): a class token, ln_pre, the layers; then `attn_pool` (256 queries of
#   width embed_dim, attn_pooler_heads heads, keys and values of the ViT's width) over all the
#   tokens, ln_post (embed_dim) on its 256 outputs, and the 'tok' split: output 0 through
#   `proj` [embed_dim, embed_dim] is the image embedding, outputs 1..255 are the tokens the
#   multimodal decoder attends to. There is no `attn_pool_contrastive`.
# - text: the unimodal text decoder (`TextTransformer` with embed_cls): causal, with a learned
#   [CLS] embedding appended (context 76 + 1 positions); padding keys (token == pad_id, 0)
#   are masked with OpenCLIP's default legacy mask (correct_cls_mask=False, the mask the
#   released weights were trained with: built as if [CLS] came first, so key i is kept when
#   token i - 1 is not padding, key 0 always). ln_final at [CLS], through `text_projection`
#   [width, embed_dim], is the text embedding.
# - text_decoder: the multimodal text decoder (`MultimodalTransformer`): per layer a causal
#   self-attention block `resblocks.N`, then a cross-attention block `cross_attn.N` into the
#   image tokens (keys and values normed by `ln_1_kv`), each with its own MLP; ln_final and
#   an untied `text_projection` [width, vocab]. Its cross-attention has no kdim, so the
#   decoder's width must be embed_dim (both released configs have text width = multimodal
#   width = embed_dim).
# - logit_scale, ln(1 / 0.07); no `logit_bias` (created only with init_logit_bias, which the
#   CoCa configs do not set).
# `tokens` is the tokenized text as OpenCLIP's tokenizer gives it for these configs (context
# 76: [SOT] caption [EOT], padded with 0); the multimodal decoder reads all positions but the
# last and predicts the next token. Losses (OpenCLIP's `CoCaLoss`, training defaults
# --coca-contrastive-loss-weight 1, --coca-caption-loss-weight 2): contrastive (`ClipLoss`:
# symmetric InfoNCE, learned temperature) and captioning (next-token cross-entropy, padding
# ignored).
#
# Parameter counts: OpenCLIP's docs/model_profile.csv (its profiler: count_params over
# model.parameters(), in millions) lists coca_ViT-B-32 at 253.56M (visual 89.16M, text 63.43M)
# and coca_ViT-L-14 at 638.45M (visual 306.72M, text 123.65M); the same totals are in the
# `params (M)` column of docs/openclip_results.csv. Both are matched exactly here:
#   CoCa_ViT_B_32: visual 89,164,032 + text 63,428,608 + text_decoder 100,967,424 + 1
#                  = 253,560,065
#   CoCa_ViT_L_14: visual 306,724,864 + text 123,651,072 + text_decoder 208,074,240 + 1
#                  = 638,450,177

import "std/nn/layers.mm"
import "std/fusion/attentional_pooler.mm"
import { MultiheadAttention } from "std/nn/attention.mm"

block OpenClipMLP(width: Int, hidden: Int) {
  c_fc = Linear(width, hidden)
  c_proj = Linear(hidden, width)
  forward(x: [..., width]) -> [..., width] {
    return c_proj(gelu(c_fc(x)))
  }
}

## OpenCLIP's pre-LN `ResidualAttentionBlock`: attention, then an MLP. With `cross`, the
## attention is cross-attention whose keys and values go through their own LayerNorm
## `ln_1_kv` (OpenCLIP's `is_cross_attention=True`).
block OpenClipResidualAttentionBlock(width: Int, heads: Int, hidden: Int = 4 * width, cross: Bool = false) {
  ln_1 = LayerNorm(width)
  attn = MultiheadAttention(width, heads)
  ln_1_kv = LayerNorm(width) if cross
  ln_2 = LayerNorm(width)
  mlp = OpenClipMLP(width, hidden)
  forward(x: [B, T, width], context: [B, S, width] = none, causal: Bool = false,
          mask: [B, T] bool = none) -> [B, T, width] {
    let h = ln_1(x)
    if cross {
      x = x + attn(h, context: ln_1_kv(context))
    } else {
      x = x + attn(h, causal: causal, mask: mask)
    }
    return x + mlp(ln_2(x))
  }
}

## OpenCLIP's `Transformer`: a stack of residual attention blocks.
block OpenClipTransformer(width: Int, layers: Int, heads: Int, hidden: Int = 4 * width) {
  resblocks = repeat layers OpenClipResidualAttentionBlock(width, heads, hidden)
  forward(x: [B, T, width], causal: Bool = false, mask: [B, T] bool = none) -> [B, T, width] {
    for block in resblocks {
      x = block(x, causal: causal, mask: mask)
    }
    return x
  }
}

## OpenCLIP's `VisionTransformer` with `attentional_pool: true` and output_tokens: one
## attentional pooler of `queries` outputs, ln_post on them, output 0 through `proj` as the
## image embedding and the other queries - 1 as the captioning tokens.
tower OpenClipCocaVisionTransformer(image: Int = 224, patch: Int = 32, width: Int = 768, layers: Int = 12,
                                    heads: Int = 12, mlp: Int = 4 * width, output_width: Int = 512,
                                    pool_heads: Int = 8, queries: Int = 256)
  where image % patch == 0, queries > 1 {
  let grid = image / patch
  conv1 = PatchEmbed(3, width, patch, bias: false)
  param class_embedding: [width] init normal(std: width ** -0.5)
  param positional_embedding: [grid * grid + 1, width] init normal(std: width ** -0.5)
  ln_pre = LayerNorm(width)
  transformer = OpenClipTransformer(width, layers, heads, mlp)
  attn_pool = AttentionalPooler(output_width, width, heads: pool_heads, queries: queries)
  ln_post = LayerNorm(output_width)
  param proj: [output_width, output_width] init normal(std: width ** -0.5)

  forward(pixels: [B, 3, image, image]) -> (pooled: [B, output_width], tokens: [B, queries - 1, output_width]) {
    let cls = expand(reshape(class_embedding, [1, 1, width]), [B, 1, width])
    let x = ln_pre(concat([cls, conv1(pixels)], axis: 1) + positional_embedding)
    let y = ln_post(attn_pool(transformer(x)))
    pooled = y[:, 0] @ proj
    tokens = y[:, 1:queries]
  }
}

## OpenCLIP's `TextTransformer` with embed_cls: causal layers over the tokens and a [CLS]
## appended at the end; its output at [CLS] (after ln_final) through `text_projection` is the
## text embedding. Keys are masked where the token is padding, with OpenCLIP's default
## (legacy, correct_cls_mask=False) mask: the mask is built as if [CLS] came first, so key i
## is kept when token i - 1 is not padding, key 0 always.
tower OpenClipCocaTextTransformer(vocab: Int = 49_408, context: Int = 76, width: Int = 512, layers: Int = 12,
                                  heads: Int = 8, mlp: Int = 4 * width, output_width: Int = 512,
                                  pad_id: Int = 0) {
  token_embedding = Embedding(vocab, width)
  param cls_emb: [width] init normal(std: 0.01)
  param positional_embedding: [context + 1, width] init normal(std: 0.01)
  transformer = OpenClipTransformer(width, layers, heads, mlp)
  ln_final = LayerNorm(width)
  param text_projection: [width, output_width] init normal(std: width ** -0.5)

  forward(text: [B, context] int64) -> (pooled: [B, output_width], tokens: [B, context, width]) {
    let cls = expand(reshape(cls_emb, [1, 1, width]), [B, 1, width])
    let x = concat([token_embedding(text), cls], axis: 1) + positional_embedding
    let keep = concat([zeros([B, 1], dtype: "int64") == 0, text != pad_id], axis: 1)
    x = transformer(x, causal: true, mask: keep)
    pooled = ln_final(x[:, context]) @ text_projection
    tokens = x[:, 0:context]
  }
}

## OpenCLIP's `MultimodalTransformer`: per layer, a causal self-attention block
## (`resblocks.N`, with its MLP), then a cross-attention block into the image tokens
## (`cross_attn.N`, with its own MLP); an untied projection to the vocabulary.
tower OpenClipMultimodalTransformer(vocab: Int = 49_408, width: Int = 512, layers: Int = 12, heads: Int = 8,
                                    mlp: Int = 4 * width) {
  resblocks = repeat layers OpenClipResidualAttentionBlock(width, heads, mlp)
  cross_attn = repeat layers OpenClipResidualAttentionBlock(width, heads, mlp, cross: true)
  ln_final = LayerNorm(width)
  param text_projection: [width, vocab] init normal(std: width ** -0.5)
  forward(x: [B, T, width], image: [B, S, width]) -> [B, T, vocab] {
    for block, i in resblocks {
      x = block(x, causal: true)
      x = cross_attn[i](x, context: image)
    }
    return ln_final(x) @ text_projection
  }
}

## OpenCLIP coca_ViT-B-32 (embed_dim 512): ViT-B/32 at 224 (12 layers, 768, 12 heads), one
## attentional pooler (256 queries, 8 heads); text and multimodal decoders of 12 layers, 512
## wide, 8 heads, context 76, vocabulary 49,408.
## published: 253.56M (OpenCLIP docs/model_profile.csv and docs/openclip_results.csv, coca_ViT-B-32: count_params of the whole model, visual 89.16M + text 63.43M + text_decoder + logit_scale = 253,560,065)
model CoCa_ViT_B_32(embed: Int = 512, contrastive_weight: Float = 1.0, caption_weight: Float = 2.0) {
  visual = OpenClipCocaVisionTransformer(image: 224, patch: 32, width: 768, layers: 12, heads: 12,
                                         output_width: embed, pool_heads: 8, queries: 256)
  text = OpenClipCocaTextTransformer(vocab: 49_408, context: 76, width: 512, layers: 12, heads: 8,
                                     output_width: embed)
  # OpenCLIP's multimodal_cfg: its width must be embed_dim (the image tokens' width), which the
  # text tokens it reads also have in the released configs.
  text_decoder = OpenClipMultimodalTransformer(vocab: text.vocab, width: text.width, layers: 12, heads: 8)
  ## ln(1 / 0.07): the learned inverse temperature, used as exp(logit_scale).
  param logit_scale: [] init const(2.6592)

  input image: [B, 3, visual.image, visual.image]
  input tokens: [B, text.context] int64      # [SOT] caption [EOT], padded with text.pad_id

  forward {
    let (image_latent, image_tokens) = visual(image)
    let (text_latent, token_embs) = text(tokens)
    let image_embeds = normalize(image_latent)
    let text_embeds = normalize(text_latent)
    let logits = exp(logit_scale) * image_embeds @ text_embeds.T
    output image_features: [B, embed] = image_embeds
    output text_features: [B, embed] = text_embeds
    output logits_per_image: [B, B] = logits
    loss contrastive = contrastive_weight * (cross_entropy(logits, arange(B)) + cross_entropy(logits.T, arange(B))) / 2.0
    # teacher forcing: position i predicts token i + 1; padding is not scored
    let caption_logits = text_decoder(token_embs[:, 0:text.context - 1], image_tokens)
    output caption_logits = caption_logits
    loss caption = caption_weight * cross_entropy(caption_logits, tokens[:, 1:], axis: -1, ignore_index: text.pad_id)
  }

  task retrieval { outputs: image_features, text_features, logits_per_image }
  task captioning { outputs: caption_logits; losses: caption }
  task pretrain { losses: contrastive, caption }
  stage pretrain { train: visual, text, text_decoder, logit_scale; tasks: pretrain }
}

## OpenCLIP coca_ViT-L-14 (embed_dim 768): ViT-L/14 at 224 (24 layers, 1024, 16 heads), one
## attentional pooler (256 queries, 8 heads); text and multimodal decoders of 12 layers, 768
## wide, 12 heads.
## published: 638.45M (OpenCLIP docs/model_profile.csv and docs/openclip_results.csv, coca_ViT-L-14: count_params of the whole model, visual 306.72M + text 123.65M + text_decoder + logit_scale = 638,450,177)
model CoCa_ViT_L_14 = CoCa_ViT_B_32(embed: 768) with {
  visual.patch = 14
  visual.width = 1024
  visual.layers = 24
  visual.heads = 16
  text.width = 768
  text.heads = 12
  text_decoder.heads = 12
}

## Tiny CoCa_ViT_B_32 for tests: the image tower wider than the joint space (64 against 48),
## as in the released config, 8 pooler queries (1 contrastive + 7 captioning tokens).
model CoCa_ViT_B_32_Tiny = CoCa_ViT_B_32(embed: 48) with {
  visual.image = 32
  visual.patch = 8
  visual.width = 64
  visual.layers = 2
  visual.heads = 4
  visual.pool_heads = 4
  visual.queries = 8
  text.vocab = 1000
  text.context = 16
  text.width = 48
  text.layers = 2
  text.heads = 4
  text_decoder.layers = 2
  text_decoder.heads = 4
}

## Tiny CoCa_ViT_L_14: as CoCa_ViT_B_32_Tiny with more decoder heads than pooler heads (as
## L-14: 12 against 8) and 6 pooler queries.
model CoCa_ViT_L_14_Tiny = CoCa_ViT_L_14(embed: 48) with {
  visual.image = 32
  visual.patch = 8
  visual.width = 64
  visual.layers = 2
  visual.heads = 4
  visual.pool_heads = 2
  visual.queries = 6
  text.vocab = 1000
  text.context = 16
  text.width = 48
  text.layers = 2
  text.heads = 6
  text_decoder.layers = 2
  text_decoder.heads = 6
}
