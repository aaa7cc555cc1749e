# CLIP ViT-B/32 (Radford et al., 2021), with every block written out, so that a newcomer
# sees the whole language in one file. The parameter names follow OpenAI's released code
# (`visual.transformer.resblocks.0.attn.in_proj_weight`, ...), with the two towers named
# `vision` and `text`. The standard library has the same model in Hugging Face's layout
# (`mm params CLIP_ViT_B32`); this file stands alone.
#
#   mm params examples/clip.mm --model CLIP     151,277,313 parameters
#   mm shapes examples/clip.mm --model CLIP     every tensor's shape

## A dense layer in PyTorch's layout: weight is [out, in].
block Linear(in_features: Int, out_features: Int, bias: Bool = true) {
  param weight: [out_features, in_features] init kaiming_uniform
  param bias: [out_features] init zeros if bias
  forward(x: [..., in_features]) -> [..., out_features] {
    return linear(x, weight, bias)
  }
}

block LayerNorm(width: Int, eps: Float = 1e-5) {
  param weight: [width] init ones
  param bias: [width] init zeros
  forward(x: [..., width]) -> [..., width] {
    return layer_norm(x, weight, bias, eps: eps)
  }
}

block Embedding(count: Int, width: Int) {
  param weight: [count, width] init normal(std: 0.02)
  forward(ids: [...] int64) -> [..., width] {
    return embedding(ids, weight)
  }
}

## A square convolution: the patch embedding of a ViT is one with stride = kernel.
block Conv2d(in_channels: Int, out_channels: Int, kernel: Int, stride: Int = 1, bias: Bool = true) {
  param weight: [out_channels, in_channels, kernel, kernel] init kaiming_uniform
  param bias: [out_channels] init zeros if bias
  forward(x: [B, in_channels, H, W]) -> [B, out_channels, (H - kernel) // stride + 1, (W - kernel) // stride + 1] {
    return conv2d(x, weight, bias, stride: stride)
  }
}

## Self-attention with PyTorch's packed q/k/v projection (nn.MultiheadAttention).
block MultiheadAttention(width: Int, heads: Int) where width % heads == 0 {
  param in_proj_weight: [3 * width, width] init xavier_uniform
  param in_proj_bias: [3 * width] init zeros
  out_proj = Linear(width, width)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    let (q, k, v) = split(linear(x, in_proj_weight, in_proj_bias), [width, width, width], axis: -1)
    return out_proj(attention(q, k, v, heads: heads, causal: causal))
  }
}

block MLP(width: Int, hidden: Int) {
  c_fc = Linear(width, hidden)
  c_proj = Linear(hidden, width)
  forward(x: [..., width]) -> [..., width] {
    return c_proj(quick_gelu(c_fc(x)))
  }
}

## A pre-LN transformer layer.
block ResidualAttentionBlock(width: Int, heads: Int, mlp_ratio: Int = 4) {
  attn = MultiheadAttention(width, heads)
  ln_1 = LayerNorm(width)
  mlp = MLP(width, width * mlp_ratio)
  ln_2 = LayerNorm(width)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    x = x + attn(ln_1(x), causal: causal)
    return x + mlp(ln_2(x))
  }
}

block Transformer(width: Int, layers: Int, heads: Int) {
  resblocks = repeat layers ResidualAttentionBlock(width, heads)
  forward(x: [B, T, width], causal: Bool = false) -> [B, T, width] {
    for layer in resblocks {
      x = layer(x, causal: causal)
    }
    return x
  }
}

## The image tower: patches, a class token, learned positions, a transformer, and a
## projection of the class token into the joint space.
tower VisionTransformer(image: Int = 224, patch: Int = 32, width: Int = 768, layers: Int = 12,
                        heads: Int = 12, output_dim: Int = 512)
  where image % patch == 0, width % heads == 0 {
  let grid = image / patch
  conv1 = Conv2d(3, width, kernel: patch, stride: patch, bias: false)
  param class_embedding: [width] init normal(std: width ** -0.5)
  param positional_embedding: [grid ** 2 + 1, width] init normal(std: width ** -0.5)
  ln_pre = LayerNorm(width)
  transformer = Transformer(width, layers, heads)
  ln_post = LayerNorm(width)
  param proj: [width, output_dim] init normal(std: width ** -0.5)

  forward(pixels: [B, 3, image, image]) -> [B, output_dim] {
    let patches: [B, grid ** 2, width] = flatten(conv1(pixels), start: 2).T
    let cls = expand(reshape(class_embedding, [1, 1, width]), [B, 1, width])
    let x = concat([cls, patches], axis: 1) + positional_embedding
    x = ln_post(transformer(ln_pre(x))[:, 0])
    return x @ proj
  }
}

## The text tower: a causal transformer; the feature is read at the end-of-text token,
## which has the largest id in CLIP's vocabulary.
tower TextTransformer(vocab: Int = 49_408, context: Int = 77, width: Int = 512, layers: Int = 12,
                      heads: Int = 8, output_dim: Int = 512) {
  token_embedding = Embedding(vocab, width)
  param positional_embedding: [context, width] init normal(std: 0.01)
  transformer = Transformer(width, layers, heads)
  ln_final = LayerNorm(width)
  param text_projection: [width, output_dim] init normal(std: width ** -0.5)

  forward(tokens: [B, context] int64) -> [B, output_dim] {
    let x = token_embedding(tokens) + positional_embedding
    x = ln_final(transformer(x, causal: true))
    let at_eot = unsqueeze(one_hot(argmax(tokens, axis: -1), context), 1)   # [B, 1, context]
    return squeeze(at_eot @ x, 1) @ text_projection
  }
}

## CLIP: two towers into one space, trained with a symmetric contrastive loss (ITC) whose
## temperature is learned (logit_scale starts at ln(1 / 0.07)).
model CLIP(embed: Int = 512) {
  vision = VisionTransformer(output_dim: embed)
  text = TextTransformer(output_dim: embed)
  param logit_scale: [] init const(2.6592)

  input pixels: [B, 3, vision.image, vision.image]
  input tokens: [B, text.context] int64

  forward {
    let image_embeds = normalize(vision(pixels))
    let text_embeds = normalize(text(tokens))
    let logits = exp(logit_scale) * image_embeds @ text_embeds.T
    output image_embeds = image_embeds
    output text_embeds = text_embeds
    output logits_per_image: [B, B] = logits
    let targets = arange(B)
    loss itc = (cross_entropy(logits, targets) + cross_entropy(logits.T, targets)) / 2.0
  }

  task retrieval { outputs: image_embeds, text_embeds, logits_per_image }
  task pretrain { losses: itc }
  stage pretrain { train: vision, text, logit_scale; tasks: pretrain }
}

## ViT-L/14 with the larger text tower: only the arguments that differ are written.
model CLIP_L14 = CLIP(embed: 768) with {
  vision.patch = 14
  vision.width = 1024
  vision.layers = 24
  vision.heads = 16
  text.width = 768
  text.heads = 12
}
