# Early fusion, single stream (joint representation), in the style of ViLT: image patches
# and word tokens are embedded, tagged with a modality-type embedding, concatenated into one
# sequence and encoded by one shared transformer. A pooled [CLS] feature feeds an
# image-text matching (ITM) head.
#
#   mm shapes examples/early_fusion.mm

import "std/nn/layers.mm"
import "std/nn/transformer.mm"

fusion ConcatTokens(width: Int, modalities: Int = 2) {
  token_type_embeddings = Embedding(modalities, width)
  forward(text: [B, T, width], image: [B, N, width]) -> [B, T + N, width] {
    let text_type = token_type_embeddings(zeros([B, T], int64))
    let image_type = token_type_embeddings(ones([B, N], int64))
    return concat([text + text_type, image + image_type], axis: 1)
  }
}

head Pooler(width: Int) {
  dense = Linear(width, width)
  forward(x: [B, T, width]) -> [B, width] {
    return tanh(dense(x[:, 0]))
  }
}

model TinySingleStream(width: Int = 64, depth: Int = 2, heads: Int = 4, image: Int = 32, patch: Int = 8,
                       vocab: Int = 1000, words: Int = 16) {
  let patches = (image // patch) ** 2
  word_embeddings = Embedding(vocab, width)
  patch_embed = PatchEmbed(3, width, patch)
  param text_positions: [words, width] init normal(std: 0.02)
  param image_positions: [patches, width] init normal(std: 0.02)
  fuse = ConcatTokens(width)
  encoder = Encoder(width, depth, heads)
  pooler = Pooler(width)
  itm_head = Linear(width, 2)

  input tokens: [B, words] int64
  input pixels: [B, 3, image, image]
  input itm_labels: [B] int64

  forward {
    let text = word_embeddings(tokens) + text_positions
    let img = patch_embed(pixels) + image_positions
    let joint = encoder(fuse(text, img))
    let logits = itm_head(pooler(joint))
    output itm_logits = logits
    loss itm = cross_entropy(logits, itm_labels)
  }

  task match { outputs: itm_logits  inputs: tokens, pixels }
  task pretrain { losses: itm }
}
