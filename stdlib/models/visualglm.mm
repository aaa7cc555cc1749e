# VisualGLM-6B (THUDM, 2023): BLIP-2's recipe on ChatGLM-6B. An EVA ViT-g (39 layers, width
# 1408, with `ln_vision`), a Q-Former (12 BERT-base layers over 32 query tokens,
# cross-attention into the ViT in layers 0, 2, ..., 10) and `glm_proj` (768 -> 4096) make 32
# image tokens, which replace 32 placeholders after "<img>" in the prompt of ChatGLM-6B
# (towers/glm.mm). The image part is trained on 30M Chinese and 300M English image-text pairs
# with the ViT and the language model frozen (pretraining), then on visual question answering
# data (fine-tuning, where THUDM's scripts add LoRA to ChatGLM; not modelled here).
#
# Names are those of THUDM's Hugging Face release (`THUDM/visualglm-6b`,
# `ChatGLMForConditionalGenerationWithImage`): transformer.* and lm_head (ChatGLM-6B), and
# image_encoder.{vit, qformer, glm_proj}, whose ViT and Q-Former are SwissArmyTransformer
# (SAT) models. The SAT layouts differ from BLIP-2's Hugging Face ones, so they are written
# here: image_encoder.vit.mixins.{patch_embedding.proj, cls.ln_vision},
# image_encoder.vit.transformer.{word_embeddings (1 row: the class token),
# position_embeddings (257), layers.N.{input_layernorm, attention.{query_key_value, dense},
# post_attention_layernorm, mlp.{dense_h_to_4h, dense_4h_to_h}}}, and
# image_encoder.qformer.transformer.{word_embeddings (32 rows: the query tokens),
# layers.N.{..., cross_attention.{query, key_value, dense}, post_cross_attention_layernorm},
# final_layernorm}. SAT's own checkpoint prefixes the image part with `mixins.eva.model.`
# and the head with `mixins.chatglm-final.` (not an identifier).
#
# SAT's post-LN layer normalizes its *input* (`input_layernorm`) and leaves its output
# unnormalized; the next layer (or `final_layernorm`) does it: the same function as BERT's
# post-LN, with the LayerNorms shifted by one.

import "std/nn/layers.mm"
import { QKVAttention } from "std/nn/attention.mm"
import "std/towers/glm.mm"

# ------------------------------------------------------------------------ SAT layouts

## SAT's cross-attention: `query` from the sequence, `key_value` from the encoder outputs.
block SatCrossAttention(width: Int, heads: Int, kv_width: Int) where width % heads == 0 {
  query = Linear(width, width)
  key_value = Linear(kv_width, 2 * width)
  dense = Linear(width, width)
  forward(x: [B, T, width], context: [B, S, kv_width]) -> [B, T, width] {
    let (k, v) = split(key_value(context), [width, width], axis: -1)
    return dense(attention(query(x), k, v, heads: heads))
  }
}

block SatMLP(width: Int, hidden: Int) {
  dense_h_to_4h = Linear(width, hidden)
  dense_4h_to_h = Linear(hidden, width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return dense_4h_to_h(gelu(dense_h_to_4h(x)))
  }
}

## SAT's `BaseTransformerLayer`, pre-LN (the ViT's).
block SatPreLNLayer(width: Int, heads: Int, hidden: Int, eps: Float) {
  input_layernorm = LayerNorm(width, eps: eps)
  attention = QKVAttention(width, heads)
  post_attention_layernorm = LayerNorm(width, eps: eps)
  mlp = SatMLP(width, hidden)
  forward(x: [B, T, width]) -> [B, T, width] {
    x = x + attention(input_layernorm(x))
    return x + mlp(post_attention_layernorm(x))
  }
}

## SAT's `BaseTransformerLayer`, post-LN (the Q-Former's); a decoder layer (`cross`) has a
## cross-attention into the ViT between the self-attention and the MLP.
block SatPostLNLayer(width: Int, heads: Int, hidden: Int, eps: Float, cross: Bool, kv_width: Int) {
  input_layernorm = LayerNorm(width, eps: eps)
  attention = QKVAttention(width, heads)
  post_attention_layernorm = LayerNorm(width, eps: eps)
  cross_attention = SatCrossAttention(width, heads, kv_width) if cross
  post_cross_attention_layernorm = LayerNorm(width, eps: eps) if cross
  mlp = SatMLP(width, hidden)
  forward(x: [B, T, width], image: [B, S, kv_width]) -> [B, T, width] {
    let a = input_layernorm(x)
    let m = post_attention_layernorm(a + attention(a))
    if cross {
      m = post_cross_attention_layernorm(m + cross_attention(m, image))
    }
    return m + mlp(m)
  }
}

## The ViT's SAT `BaseTransformer`: word embeddings (one row, the class token), learned
## positions, pre-LN layers, no final LayerNorm (`use_final_layernorm: false`).
block SatViTTransformer(width: Int, depth: Int, heads: Int, hidden: Int, eps: Float, positions: Int) {
  word_embeddings = Embedding(1, width)
  position_embeddings = Embedding(positions, width)
  layers = repeat depth SatPreLNLayer(width, heads, hidden, eps)
  forward(x: [B, T, width]) -> [B, T, width] {
    return layers(x)
  }
}

## The Q-Former's SAT `BaseTransformer`: word embeddings (the query tokens, ids 0..queries-1),
## no positions, post-LN layers with a cross-attention every `cross_every` layers from layer
## 0, a final LayerNorm.
block SatQFormerTransformer(queries: Int, width: Int, depth: Int, heads: Int, hidden: Int, eps: Float,
                            cross_every: Int, kv_width: Int) {
  word_embeddings = Embedding(queries, width)
  layers = repeat depth as i SatPostLNLayer(width, heads, hidden, eps, i % cross_every == 0, kv_width)
  final_layernorm = LayerNorm(width, eps: eps)
  forward(x: [B, T, width], image: [B, S, kv_width]) -> [B, T, width] {
    for layer in layers {
      x = layer(x, image)
    }
    return final_layernorm(x)
  }
}

block SatPatchEmbeddingMixin(width: Int, patch: Int) {
  proj = PatchEmbed(3, width, patch)
  forward(pixels: [B, 3, H, W]) -> [B, (H // patch) * (W // patch), width] {
    return proj(pixels)
  }
}

block SatLnFinalMixin(width: Int) {
  ln_vision = LayerNorm(width)
  forward(x: [B, T, width]) -> [B, T, width] {
    return ln_vision(x)
  }
}

block EVAViTMixins(width: Int, patch: Int) {
  patch_embedding = SatPatchEmbeddingMixin(width, patch)
  cls = SatLnFinalMixin(width)
}

## VisualGLM's EVA ViT-g (SAT `EVAViT`): the class token is word embedding 0, followed by
## the patches; 257 learned positions; 39 pre-LN layers (eps 1e-6) without a final norm;
## `ln_vision` on every token.
tower EVAViT(image: Int = 224, patch: Int = 14, width: Int = 1408, depth: Int = 39, heads: Int = 16,
             hidden: Int = 6144, eps: Float = 1e-6)
  where image % patch == 0 {
  let tokens = (image / patch) ** 2 + 1
  mixins = EVAViTMixins(width, patch)
  transformer = SatViTTransformer(width, depth, heads, hidden, eps, tokens)
  forward(image_pixels: [B, 3, image, image]) -> [B, tokens, width] {
    let cls = transformer.word_embeddings(zeros([B, 1], dtype: "int64"))
    let x = concat([cls, mixins.patch_embedding(image_pixels)], axis: 1)
    x = x + transformer.position_embeddings(arange(tokens))
    return mixins.cls(transformer(x))
  }
}

## VisualGLM's Q-Former (SAT `QFormer`): the 32 query tokens are its word embeddings (ids
## 0..31), no positions; 12 post-LN layers (eps 1e-12), cross-attention into the ViT in the
## even layers; a final LayerNorm.
fusion QFormer(queries: Int = 32, width: Int = 768, depth: Int = 12, heads: Int = 12, hidden: Int = 3072,
               kv_width: Int = 1408, eps: Float = 1e-12) {
  transformer = SatQFormerTransformer(queries, width, depth, heads, hidden, eps, 2, kv_width)
  forward(encoder_outputs: [B, S, kv_width]) -> [B, queries, width] {
    let query_embeds = transformer.word_embeddings(expand(unsqueeze(arange(queries), 0), [B, queries]))
    return transformer(query_embeds, encoder_outputs)
  }
}

## The image encoder of VisualGLM (`BLIP2` in THUDM's visual.py).
block VisualGLMImageEncoder(image: Int = 224, llm_width: Int = 4096) {
  vit = EVAViT(image: image)
  qformer = QFormer(kv_width: vit.width)
  glm_proj = Linear(qformer.width, llm_width)
  forward(pixels: [B, 3, image, image]) -> [B, qformer.queries, llm_width] {
    return glm_proj(qformer(vit(pixels)))
  }
}

# ------------------------------------------------------------------------------ model

## VisualGLM-6B. The prompt is "<img>" + 32 image tokens + "</img>问：{question}\n答：": here the
## tokens before the image (`pre_image_ids`) and after it (`input_ids`: the rest of the prompt
## and the answer, labels -100 on the prompt). GLM's 2D positions and prefix mask are inputs
## over the whole sequence (P + 32 + L tokens).
## published: 7.8B (VisualGLM-6B README; counts EVA ViT-g, Q-Former, glm_proj, ChatGLM-6B with its untied lm_head)
## SAT reports 7,802,193,408 parameters for the released model, as here.
model VisualGLM_6B {
  transformer = ChatGLMModel()
  image_encoder = VisualGLMImageEncoder(llm_width: transformer.width)
  lm_head = Linear(transformer.width, transformer.vocab, bias: false)
  # The released checkpoints name the ViT's attention as SwissArmyTransformer does.
  default layout sat

  input image: [B, 3, image_encoder.image, image_encoder.image]
  input pre_image_ids: [B, P] int64
  input input_ids: [B, L] int64
  input position_ids: [B, P + image_encoder.qformer.queries + L] int64
  input block_position_ids: [B, P + image_encoder.qformer.queries + L] int64
  input attention_mask: [B, 1, P + image_encoder.qformer.queries + L, P + image_encoder.qformer.queries + L] bool
  input labels: [B, L] int64

  forward {
    let queries = image_encoder.qformer.queries
    let image_embeds = image_encoder(image)
    let inputs_embeds = concat([transformer.word_embeddings(pre_image_ids), image_embeds,
                                transformer.word_embeddings(input_ids)], axis: 1)
    # ChatGLM's attention_mask is true where attention is masked (get_masks: mask < 0.5); the
    # transformer takes where it may attend.
    let hidden = transformer(inputs_embeds, position_ids, block_position_ids, logical_not(attention_mask))
    output logits: [B, L, transformer.vocab] = lm_head(hidden[:, P + queries:])
    # The official loss shifts over the whole sequence, -100 on the prompt and the queries: the
    # last query position predicts the first answer token.
    loss lm = cross_entropy(lm_head(hidden[:, P + queries - 1:-1]), labels, axis: -1)
  }

  task chat { outputs: logits }
  task image_text_generation { losses: lm }
  stage pretrain {
    train: image_encoder.qformer, image_encoder.glm_proj
    freeze: image_encoder.vit, transformer, lm_head
    tasks: image_text_generation
  }
}

model VisualGLM_6B_Tiny = VisualGLM_6B with {
  image_encoder.image = 32
  image_encoder.vit = EVAViT(image: 32, patch: 8, width: 64, depth: 2, heads: 4, hidden: 128)
  image_encoder.qformer = QFormer(queries: 4, width: 64, depth: 2, heads: 4, hidden: 128, kv_width: 64)
  transformer = ChatGLMModel(vocab: 1000, width: 64, depth: 2, heads: 4, hidden: 128)
}
