# ViLT (Kim et al., 2021, "ViLT: Vision-and-Language Transformer Without Convolution or Region
# Supervision"): single-stream early fusion. Word embeddings (BERT's) and linearly projected
# 32x32 patches, each with its position and a modality-type embedding, are concatenated and
# encoded by one 12-layer, 768-wide pre-LN transformer initialised from ViT-B/32.
# Pretraining: image-text matching with word-patch alignment (ITM + WPA) and masked language
# modelling (MLM).
#
# Names follow Hugging Face's `ViltModel` (vilt.embeddings.text_embeddings.*,
# vilt.embeddings.{cls_token, patch_embeddings.projection, position_embeddings,
# token_type_embeddings}, vilt.encoder.layer.N.*, vilt.layernorm, vilt.pooler.dense) and
# `ViltForMaskedLM` (mlm_score.{transform.*, decoder.weight, bias}). HF has no pretraining
# ITM head: `itm_score.fc` is the official code's name (`heads.ITMHead`).
#
# Simplifications, stated: the official code resizes images to a shorter side of 384 (longer
# side up to 640) and samples at most 200 patches, interpolating the position embeddings; here
# the image is a fixed 384x384 (144 patches, the stored position table), as HF's default
# `max_image_length = -1` does for square inputs. ViLT's MLM decoder is not tied to the word
# embeddings (official `MLMHead` gets no weight), so `mlm_score.decoder.weight` is a parameter.

import "std/nn/layers.mm"
import "std/towers/vit.mm"
import "std/towers/bert.mm"
import "std/losses/contrastive.mm"

## HF `ViltEmbeddings`: BERT text embeddings and ViT patch embeddings, each plus a
## modality-type embedding (0 text, 1 image), concatenated text first.
block ViltEmbeddings(vocab: Int, positions: Int, image: Int, patch: Int, width: Int,
                     type_vocab: Int = 2, modality_types: Int = 2, eps: Float = 1e-12)
  where image % patch == 0 {
  let patches = (image / patch) ** 2
  text_embeddings = BertEmbeddings(vocab, width, positions: positions, type_vocab: type_vocab, eps: eps)
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  patch_embeddings = ViTPatchEmbeddings(image, patch, width)
  param position_embeddings: [1, patches + 1, width] init trunc_normal(std: 0.02)
  token_type_embeddings = Embedding(modality_types, width)
  forward(input_ids: [B, T] int64, pixel_values: [B, 3, image, image]) -> [B, T + patches + 1, width] {
    let text = text_embeddings(input_ids) + token_type_embeddings(zeros([B, T], dtype: "int64"))
    let img = concat([expand(cls_token, [B, 1, width]), patch_embeddings(pixel_values)], axis: 1) + position_embeddings
    img = img + token_type_embeddings(ones([B, patches + 1], dtype: "int64"))
    return concat([text, img], axis: 1)
  }
}

## HF `ViltModel`: one transformer over [text; [CLS_img]; patches]. `last_hidden_state` is
## after the final `layernorm`; the pooler reads the text [CLS] (position 0).
tower ViltModel(vocab: Int = 30_522, positions: Int = 40, image: Int = 384, patch: Int = 32, width: Int = 768,
                depth: Int = 12, heads: Int = 12, hidden: Int = 4 * width, eps: Float = 1e-12)
  where width % heads == 0 {
  let patches = (image / patch) ** 2
  embeddings = ViltEmbeddings(vocab, positions, image, patch, width, eps: eps)
  encoder = ViTEncoder(width, depth, heads, hidden: hidden, eps: eps)
  layernorm = LayerNorm(width, eps: eps)
  pooler = ViTPooler(width)
  # `L` text tokens; the encoder sees L + patches + 1.
  forward(input_ids: [B, L] int64, attention_mask: [B, L], pixel_values: [B, 3, image, image])
    -> (last_hidden_state: [B, L + patches + 1, width], pooler_output: [B, width]) {
    let mask = concat([ne(attention_mask, 0), ones([B, patches + 1], dtype: "bool")], axis: 1)
    let x = layernorm(encoder(embeddings(input_ids, pixel_values), mask: mask))
    last_hidden_state = x
    pooler_output = pooler(x)
  }
}

## ViLT's ITM head (official `ITMHead`): a 2-way classifier on the pooled output.
head ITMHead(width: Int) {
  fc = Linear(width, 2)
  forward(x: [B, width]) -> [B, 2] {
    return fc(x)
  }
}

## HF `ViltMLMHead`: transform (dense, gelu, LayerNorm), then an untied decoder with `bias`.
head ViltMLMHead(width: Int, vocab: Int, eps: Float = 1e-12) {
  transform = BertPredictionHeadTransform(width, eps: eps)
  decoder = Linear(width, vocab, bias: false)
  param bias: [vocab] init zeros
  forward(x: [..., width]) -> [..., vocab] {
    return decoder(transform(x)) + bias
  }
}

## ViLT-B/32 pretraining (ITM + WPA, MLM). The two objectives run separate passes, as in the
## official code: MLM on masked text with its own image, ITM on the original text with the
## image of `itm_pixel_values`, which the data loader swapped for a random one in about half
## of the pairs (`itm_labels` 0). WPA aligns words and patches by optimal transport on the ITM
## pass ([CLS], [SEP] and padding excluded), weighted 0.1.
## published: 87.4M of vilt.encoder + vilt.embeddings.patch_embeddings + vilt.layernorm (the ViLT paper's 87.4M (models.md: "transformer") counts the transformer alone: 87,416,064, the 12 layers, the patch projection and the final LayerNorm; not the word, position and modality embeddings, the pooler or the heads; test/stdlib/albef.test.ts checks that sum against 87.4M)
model ViLT_B32(wpa_weight: Float = 0.1) {
  vilt = ViltModel(vocab: 30_522, positions: 40, image: 384, patch: 32, width: 768, depth: 12, heads: 12)
  itm_score = ITMHead(vilt.width)
  mlm_score = ViltMLMHead(vilt.width, vilt.vocab)
  wpa_loss = WordPatchAlignment()
  mlm_loss = MaskedLMLoss()

  input input_ids: [B, vilt.positions] int64
  input attention_mask: [B, vilt.positions] int64
  input pixel_values: [B, 3, vilt.image, vilt.image]
  input itm_pixel_values: [B, 3, vilt.image, vilt.image]
  input itm_labels: [B] int64
  input mlm_input_ids: [B, vilt.positions] int64
  input mlm_labels: [B, vilt.positions] int64

  forward {
    let T = vilt.positions

    # ITM (+ WPA) on the original text and possibly swapped images.
    let itm = vilt(input_ids, attention_mask, itm_pixel_values)
    let itm_logits = itm_score(itm.pooler_output)
    output itm_logits: [B, 2] = itm_logits
    loss itm = cross_entropy(itm_logits, itm_labels)

    let x = itm.last_hidden_state
    let text_feats = x[:, 0:T]
    let image_feats = x[:, T:]
    let patches_plus_cls = (vilt.image / vilt.patch) ** 2 + 1
    # Words: real tokens but [CLS] (position 0) and [SEP] (the last real one).
    let real = ne(attention_mask, 0)
    let sep = cast(one_hot(sum(real, [1]) - 1, T), "bool")
    let not_cls = ne(arange(T), 0)
    let txt_mask = logical_and(logical_and(real, logical_not(sep)), not_cls)
    # Patches: all but the image [CLS].
    let img_mask = expand(unsqueeze(ne(arange(patches_plus_cls), 0), 0), [B, patches_plus_cls])
    loss wpa = wpa_weight * wpa_loss(text_feats, image_feats, txt_mask, img_mask, itm_labels)

    # MLM on masked text with the matching image.
    let mlm = vilt(mlm_input_ids, attention_mask, pixel_values)
    let mlm_logits = mlm_score(mlm.last_hidden_state[:, 0:T])
    output mlm_logits = mlm_logits
    loss mlm = mlm_loss(mlm_logits, mlm_labels)
  }

  task itm { outputs: itm_logits; losses: itm, wpa }
  task mlm { outputs: mlm_logits; losses: mlm }
  task pretrain { losses: itm, wpa, mlm }
  stage pretrain { tasks: pretrain }
}

## Tiny ViLT: same structure, for tests.
model ViLT_B32_Tiny = ViLT_B32 with {
  vilt.vocab = 1000
  vilt.positions = 8
  vilt.image = 32
  vilt.patch = 8
  vilt.width = 64
  vilt.depth = 2
  vilt.heads = 4
}
