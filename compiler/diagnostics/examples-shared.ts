// Shared pieces of the wrong/fixed example programs (see examples.ts).
export const LINEAR = `block Linear(in_dim: Int, out_dim: Int, bias: Bool = true) {
  param weight: [out_dim, in_dim] init kaiming_uniform
  param bias: [out_dim] init zeros if bias
  forward(x: [..., in_dim]) -> [..., out_dim] {
    return linear(x, weight, bias)
  }
}
`;

export const ENCODER = `tower Encoder(in_dim: Int = 48, width: Int = 32) {
  param proj: [width, in_dim] init xavier_uniform
  forward(x: [B, in_dim]) -> [B, width] {
    return normalize(linear(x, proj))
  }
}
`;

/** A block `Head` around `Linear`, used in a model `Classifier`, with one line changed. */
export function classifier(head: string, variant = ""): string {
  return `${LINEAR}
model Classifier(width: Int = 64, classes: Int = 10) {
  head = ${head}
  input features: [B, width]
  forward {
    output logits = head(features)
  }
}
${variant}`;
}

export function attention(width: number, heads: number): string {
  return `block Attention(width: Int, heads: Int) where width % heads == 0 {
  param qkv: [3 * width, width] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    let (q, k, v) = split(linear(x, qkv), [width, width, width], axis: -1)
    return attention(q, k, v, heads: heads)
  }
}

tower TextEncoder(width: Int = ${width}, heads: Int = ${heads}) {
  attn = Attention(width, heads)
  forward(x: [B, T, width]) -> [B, T, width] {
    return attn(x)
  }
}
`;
}

/** A block `Probe` with one forward line changed. */
export function probe(line: string, input = "x: [B, T, width]", out = "[B, T, width]"): string {
  return `block Probe(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(${input}) -> ${out} {
    ${line}
  }
}
`;
}

export function dualEncoder(tasks: string): string {
  return `${ENCODER}
model DualEncoder(width: Int = 32) {
  image = Encoder(48, width)
  text = Encoder(24, width)
  input image_features: [B, 48]
  input text_features: [B, 24]
  forward {
    let image_embeds = image(image_features)
    let text_embeds = text(text_features)
    output image_embeds = image_embeds
    output text_embeds = text_embeds
    loss itc = cross_entropy(image_embeds @ text_embeds.T, arange(B))
  }
  ${tasks}
}
`;
}

export function experts(modality: string): string {
  return `block FeedForward(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, T, width]) -> [B, T, width] {
    return gelu(linear(x, w))
  }
}

experts ModalityFFN(width: Int = 64) {
  image = FeedForward(width)
  text = FeedForward(width)
  route by modality
}

model Multiway(width: Int = 64) {
  ffn = ModalityFFN(width)
  input tokens: [B, 16, width]
  forward {
    output out = ffn(tokens, modality: "${modality}")
  }
}
`;
}
