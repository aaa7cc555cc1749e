# Cross-attention fusion (coordinated towers, then a fusion encoder), in the style of ALBEF:
# an image tower and a text tower are aligned with a contrastive loss (ITC) on their [CLS]
# features; a fusion encoder lets text attend to image tokens for image-text matching (ITM).
#
#   mm shapes examples/cross_attention.mm

import "std/nn/layers.mm"
import "std/nn/transformer.mm"

tower TinyViT(image: Int = 32, patch: Int = 8, width: Int = 64, depth: Int = 2, heads: Int = 4)
  where image % patch == 0 {
  patch_embed = PatchEmbed(3, width, patch)
  param cls_token: [1, 1, width] init trunc_normal(std: 0.02)
  param position_embedding: [(image / patch) ** 2 + 1, width] init trunc_normal(std: 0.02)
  encoder = Encoder(width, depth, heads)
  norm = LayerNorm(width)
  forward(pixels: [B, 3, image, image]) -> [B, (image / patch) ** 2 + 1, width] {
    let x = concat([expand(cls_token, [B, 1, width]), patch_embed(pixels)], axis: 1)
    return norm(encoder(x + position_embedding))
  }
}

tower TinyTextEncoder(vocab: Int = 1000, context: Int = 16, width: Int = 64, depth: Int = 2, heads: Int = 4) {
  word_embeddings = Embedding(vocab, width)
  position_embeddings = Embedding(context, width)
  encoder = Encoder(width, depth, heads)
  forward(tokens: [B, context] int64) -> [B, context, width] {
    return encoder(word_embeddings(tokens) + position_embeddings(arange(context)))
  }
}

## Text queries attend to image tokens in every layer.
fusion CrossAttentionFusion(width: Int, image_width: Int, depth: Int, heads: Int) {
  layers = repeat depth CrossEncoderLayer(width, heads, kv_width: image_width)
  forward(text: [B, T, width], image: [B, N, image_width]) -> [B, T, width] {
    for layer in layers {
      text = layer(text, image)
    }
    return text
  }
}

model TinyAlbef(embed: Int = 32, temperature: Float = 0.07) {
  vision = TinyViT()
  text = TinyTextEncoder()
  vision_proj = Linear(vision.width, embed)
  text_proj = Linear(text.width, embed)
  fusion = CrossAttentionFusion(text.width, vision.width, depth: 2, heads: 4)
  itm_head = Linear(text.width, 2)

  input pixels: [B, 3, vision.image, vision.image]
  input tokens: [B, text.context] int64
  input itm_labels: [B] int64

  forward {
    let image_tokens = vision(pixels)
    let text_tokens = text(tokens)
    let img = normalize(vision_proj(image_tokens[:, 0]))
    let txt = normalize(text_proj(text_tokens[:, 0]))
    let sim = img @ txt.T / temperature
    output similarity = sim
    loss itc = (cross_entropy(sim, arange(B)) + cross_entropy(sim.T, arange(B))) / 2.0
    let fused = fusion(text_tokens, image_tokens)
    loss itm = cross_entropy(itm_head(fused[:, 0]), itm_labels)
  }

  task retrieval { outputs: similarity }
  task pretrain { losses: itc, itm }
}
