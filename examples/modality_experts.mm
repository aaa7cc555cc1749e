# Modality experts (a multiway transformer, in the style of VLMo): every layer shares its
# self-attention across modalities but routes each token to the feed-forward expert of its
# modality. Tasks pick the routing: contrastive learning (ITC) encodes image and text
# separately with their own experts; matching (ITM) encodes the concatenated pair, where the
# top layer uses a vision-language expert.
#
#   mm shapes examples/modality_experts.mm

import "std/nn/layers.mm"
import "std/nn/mlp.mm"
import "std/nn/attention.mm"

## One feed-forward expert per modality; `route by modality` sends each span of tokens to
## the expert named for it (or the whole sequence to one expert).
experts MultiwayFFN(width: Int, hidden: Int, with_vl: Bool = false) {
  vision = MLP(width, hidden)
  language = MLP(width, hidden)
  vl = MLP(width, hidden) if with_vl
  route by modality
}

block MultiwayLayer(width: Int, heads: Int, with_vl: Bool = false) {
  norm1 = LayerNorm(width)
  attn = Attention(width, heads)
  norm2 = LayerNorm(width)
  ffn = MultiwayFFN(width, 4 * width, with_vl: with_vl)
  forward(x: [B, T, width], modality: [String], split: [Int]) -> [B, T, width] {
    x = x + attn(norm1(x))
    if with_vl && len(modality) == 2 {
      return x + ffn(norm2(x), modality: "vl")
    }
    if len(modality) == 1 {
      return x + ffn(norm2(x), modality: modality[0])
    }
    return x + ffn(norm2(x), modality: modality, split: split)
  }
}

model TinyMultiway(width: Int = 64, depth: Int = 3, heads: Int = 4, vl_layers: Int = 1,
                   image: Int = 32, patch: Int = 8, vocab: Int = 1000, words: Int = 16) {
  let patches = (image / patch) ** 2
  patch_embed = PatchEmbed(3, width, patch)
  word_embeddings = Embedding(vocab, width)
  layers = repeat depth as i MultiwayLayer(width, heads, with_vl: i >= depth - vl_layers)
  itm_head = Linear(width, 2)

  input pixels: [B, 3, image, image]
  input tokens: [B, words] int64
  input itm_labels: [B] int64

  forward {
    let img = patch_embed(pixels)
    let txt = word_embeddings(tokens)
    # ITC: each modality alone, through its own experts (the VL experts are not used).
    let img_only = img
    let txt_only = txt
    for layer in layers {
      img_only = layer(img_only, modality: ["vision"], split: [patches])
      txt_only = layer(txt_only, modality: ["language"], split: [words])
    }
    let a = normalize(img_only[:, 0])
    let b = normalize(txt_only[:, 0])
    output similarity = a @ b.T
    loss itc = cross_entropy(a @ b.T / 0.07, arange(B))
    # ITM: the concatenated pair; vision tokens to V-FFN, words to L-FFN, VL-FFN on top.
    let pair = concat([img, txt], axis: 1)
    for layer in layers {
      pair = layer(pair, modality: ["vision", "language"], split: [patches, words])
    }
    loss itm = cross_entropy(itm_head(pair[:, 0]), itm_labels)
  }

  task itc { losses: itc  outputs: similarity }
  task itm { losses: itm }
  stage pretrain { tasks: itc, itm }
}
