// Wrong and fixed programs for each diagnostic code (see codes.ts). Each is a whole file,
// `main.mm`; `files` are other files of its project (for the import codes), and `fixedFiles`
// replaces them for the fixed program. test/diagnostics/examples.test.ts checks that `wrong`
// reports the code and `fixed` reports nothing; docs/errors.md and `mm explain` show them.
import type { CodeExample } from "./codes.js";

const LINEAR = `block Linear(in_dim: Int, out_dim: Int, bias: Bool = true) {
  param weight: [out_dim, in_dim] init kaiming_uniform
  param bias: [out_dim] init zeros if bias
  forward(x: [..., in_dim]) -> [..., out_dim] {
    return linear(x, weight, bias)
  }
}
`;

const ENCODER = `tower Encoder(in_dim: Int = 48, width: Int = 32) {
  param proj: [width, in_dim] init xavier_uniform
  forward(x: [B, in_dim]) -> [B, width] {
    return normalize(linear(x, proj))
  }
}
`;

/** A block `Head` around `Linear`, used in a model `Classifier`, with one line changed. */
function classifier(head: string, variant = ""): string {
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

function attention(width: number, heads: number): string {
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
function probe(line: string, input = "x: [B, T, width]", out = "[B, T, width]"): string {
  return `block Probe(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(${input}) -> ${out} {
    ${line}
  }
}
`;
}

function dualEncoder(tasks: string): string {
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

function experts(modality: string): string {
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

export const EXAMPLES: Readonly<Record<string, CodeExample>> = {
  MM1001: {
    wrong: probe("return linear(x, w"),
    fixed: probe("return linear(x, w)"),
  },
  MM1002: {
    files: { "layers.mm": LINEAR },
    wrong: `import "layers.mm\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
    fixed: `import "layers.mm"\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
  },
  MM1003: {
    wrong: attention(64, 4).replace("where width % heads == 0", "where width > 0 & width % heads == 0"),
    fixed: attention(64, 4).replace("where width % heads == 0", "where width > 0 && width % heads == 0"),
  },
  MM1004: {
    wrong: attention(64, 4).replace("width: Int = 64", "width: Int = 6__4"),
    fixed: attention(64, 4).replace("width: Int = 64", "width: Int = 6_4"),
  },
  MM1005: {
    wrong: `head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  input features: [B, width]
  forward() -> [B, classes] {
    return linear(features, weight)
  }
}
`,
    fixed: `head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  forward(features: [B, width]) -> [B, classes] {
    return linear(features, weight)
  }
}
`,
  },
  MM2001: {
    wrong: probe("return linear(x, wieght)").replace("param w:", "param weight:"),
    fixed: probe("return linear(x, weight)").replace("param w:", "param weight:"),
  },
  MM2002: {
    wrong: `block Adapter(width: Int = 64, bottleneck: Int = 16) {
  param proj: [bottleneck, width] init xavier_uniform
  param proj: [width, bottleneck] init zeros
  forward(x: [B, width]) -> [B, width] {
    return x + linear(relu(linear(x, proj)), proj)
  }
}
`,
    fixed: `block Adapter(width: Int = 64, bottleneck: Int = 16) {
  param down: [bottleneck, width] init xavier_uniform
  param up: [width, bottleneck] init zeros
  forward(x: [B, width]) -> [B, width] {
    return x + linear(relu(linear(x, down)), up)
  }
}
`,
  },
  MM2003: {
    files: { "layers.mm": LINEAR },
    wrong: `import "layer.mm"\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
    fixed: `import "layers.mm"\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
  },
  MM2004: {
    files: { "text.mm": `import "main.mm"\n\ntower TextTower(width: Int = 64) {\n  proj = Linear(width, width)\n  forward(x: [B, width]) -> [B, width] {\n    return proj(x)\n  }\n}\n` },
    fixedFiles: {
      "text.mm": `import "layers.mm"\n\ntower TextTower(width: Int = 64) {\n  proj = Linear(width, width)\n  forward(x: [B, width]) -> [B, width] {\n    return proj(x)\n  }\n}\n`,
      "layers.mm": LINEAR,
    },
    wrong: `import "text.mm"\n\n${LINEAR}\nhead Classifier(width: Int = 64) {\n  text = TextTower(width)\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(text(x))\n  }\n}\n`,
    fixed: `import "text.mm"\nimport "layers.mm"\n\nhead Classifier(width: Int = 64) {\n  text = TextTower(width)\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(text(x))\n  }\n}\n`,
  },
  MM2005: {
    files: { "layers.mm": LINEAR },
    wrong: `import "../layers.mm"\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
    fixed: `import "layers.mm"\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
  },
  MM2006: {
    files: { "layers.mm": LINEAR },
    wrong: `import { Linaer } from "layers.mm"\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
    fixed: `import { Linear } from "layers.mm"\n\nhead Classifier(width: Int = 64) {\n  fc = Linear(width, 10)\n  forward(x: [B, width]) -> [B, 10] {\n    return fc(x)\n  }\n}\n`,
  },
  MM2007: {
    wrong: classifier("Linear(width, classes)", "\nmodel ClassifierSmall = Clasifier(width: 32)\n"),
    fixed: classifier("Linear(width, classes)", "\nmodel ClassifierSmall = Classifier(width: 32)\n"),
  },
  MM2008: {
    wrong: `enum Act { gelu, relu }

block FeedForward(width: Int = 64, act: Activation = Act.gelu) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, width]) -> [B, width] {
    return if act == Act.gelu then gelu(linear(x, w)) else relu(linear(x, w))
  }
}
`,
    fixed: `enum Act { gelu, relu }

block FeedForward(width: Int = 64, act: Act = Act.gelu) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, width]) -> [B, width] {
    return if act == Act.gelu then gelu(linear(x, w)) else relu(linear(x, w))
  }
}
`,
  },
  MM3001: { wrong: classifier(`Linear(width, "10")`), fixed: classifier("Linear(width, classes)") },
  MM3002: { wrong: classifier("Linear(width)"), fixed: classifier("Linear(width, classes)") },
  MM3003: { wrong: classifier("Linear(width, classes, biass: false)"), fixed: classifier("Linear(width, classes, bias: false)") },
  MM3004: { wrong: classifier("Linear(width, classes, false, 0.02)"), fixed: classifier("Linear(width, classes, false)") },
  MM3005: { wrong: attention(100, 8), fixed: attention(96, 8) },
  MM3006: {
    wrong: `block Encoder(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  inner = Encoder(width)
  forward(x: [B, width]) -> [B, width] {
    return inner(relu(linear(x, w)))
  }
}
`,
    fixed: `block Layer(width: Int = 64) {
  param w: [width, width] init xavier_uniform
  forward(x: [B, width]) -> [B, width] {
    return relu(linear(x, w))
  }
}

block Encoder(width: Int = 64, depth: Int = 2) {
  layers = repeat depth Layer(width)
  forward(x: [B, width]) -> [B, width] {
    return layers(x)
  }
}
`,
  },
  MM3007: {
    wrong: `${LINEAR}
block Stack(width: Int = 64, depth: Int = 0) {
  layers = repeat depth Linear(width, width)
  forward(x: [B, width]) -> [B, width] {
    return layers(x)
  }
}
`,
    fixed: `${LINEAR}
block Stack(width: Int = 64, depth: Int = 2) {
  layers = repeat depth Linear(width, width)
  forward(x: [B, width]) -> [B, width] {
    return layers(x)
  }
}
`,
  },
  MM3008: {
    wrong: `head Classifier(width: Int = 64, classes: Int = 1_000_000) {\n  param weight: [classes ** 3, width] init zeros\n  forward(x: [B, width]) -> [B, classes ** 3] {\n    return linear(x, weight)\n  }\n}\n`,
    fixed: `head Classifier(width: Int = 64, classes: Int = 1_000_000) {\n  param weight: [classes, width] init zeros\n  forward(x: [B, width]) -> [B, classes] {\n    return linear(x, weight)\n  }\n}\n`,
  },
  MM3009: {
    wrong: `tower ViT(image: Int = 224, patch: Int = 15, width: Int = 64) {
  let grid = image / patch
  param patch_embed: [width, 3, patch, patch] init kaiming_uniform
  forward(pixels: [B, 3, image, image]) -> [B, grid ** 2, width] {
    return flatten(conv2d(pixels, patch_embed, stride: patch), start: 2).T
  }
}
`,
    fixed: `tower ViT(image: Int = 224, patch: Int = 14, width: Int = 64) {
  let grid = image / patch
  param patch_embed: [width, 3, patch, patch] init kaiming_uniform
  forward(pixels: [B, 3, image, image]) -> [B, grid ** 2, width] {
    return flatten(conv2d(pixels, patch_embed, stride: patch), start: 2).T
  }
}
`,
  },
  MM3010: {
    wrong: `${LINEAR}
head Classifier(width: Int = 64, classes: Int = 10) {
  forward(x: [B, width]) -> [B, classes] {
    return Linear(width, classes)(x)
  }
}
`,
    fixed: `${LINEAR}
head Classifier(width: Int = 64, classes: Int = 10) {
  fc = Linear(width, classes)
  forward(x: [B, width]) -> [B, classes] {
    return fc(x)
  }
}
`,
  },
  MM3011: { wrong: classifier("Linear(width, classes, in_dim: width)"), fixed: classifier("Linear(width, classes)") },
  MM3012: {
    wrong: classifier("Linear(width, classes)", "\nmodel ClassifierNoBias = Classifier() with {\n  fc.bias = false\n}\n"),
    fixed: classifier("Linear(width, classes)", "\nmodel ClassifierNoBias = Classifier() with {\n  head.bias = false\n}\n"),
  },
  MM3013: {
    wrong: probe("return linear(x, w)").replace("init xavier_uniform", "init gaussian(std: 0.02)"),
    fixed: probe("return linear(x, w)").replace("init xavier_uniform", "init normal(std: 0.02)"),
  },
  MM3014: {
    wrong: probe("return linear(x, w)").replace("[width, width] init", "[width, width] fp16 init").replace("[B, T, width])", "[B, T, width] float16)").replace("-> [B, T, width]", "-> [B, T, width] float16"),
    fixed: probe("return linear(x, w)").replace("[width, width] init", "[width, width] float16 init").replace("[B, T, width])", "[B, T, width] float16)").replace("-> [B, T, width]", "-> [B, T, width] float16"),
  },
  MM3015: {
    wrong: `tower TextEncoder(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  param positions: [T, width] init normal(std: 0.01)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed) + positions
  }
}
`,
    fixed: `tower TextEncoder(vocab: Int = 1000, width: Int = 64, context: Int = 77) {
  param embed: [vocab, width] init normal(std: 0.02)
  param positions: [context, width] init normal(std: 0.01)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed) + positions[:T]
  }
}
`,
  },
  MM3016: {
    wrong: `block SplitHeads(width: Int = 64, heads: Int = 0) {
  let head_dim = width // heads
  forward(x: [B, T, width]) -> [B, T, heads, head_dim] {
    return reshape(x, [B, T, heads, head_dim])
  }
}
`,
    fixed: `block SplitHeads(width: Int = 64, heads: Int = 4) {
  let head_dim = width // heads
  forward(x: [B, T, width]) -> [B, T, heads, head_dim] {
    return reshape(x, [B, T, heads, head_dim])
  }
}
`,
  },
  MM3017: {
    wrong: `block Adapter(width: Int = 64, bottleneck: Int = 0) {
  param down: [bottleneck, width] init xavier_uniform
  param up: [width, bottleneck] init zeros
  forward(x: [B, width]) -> [B, width] {
    return x + linear(relu(linear(x, down)), up)
  }
}
`,
    fixed: `block Adapter(width: Int = 64, bottleneck: Int = 16) {
  param down: [bottleneck, width] init xavier_uniform
  param up: [width, bottleneck] init zeros
  forward(x: [B, width]) -> [B, width] {
    return x + linear(relu(linear(x, down)), up)
  }
}
`,
  },
  MM3018: {
    wrong: probe(`return dropout(linear(x, w), p: "0.1")`),
    fixed: probe("return dropout(linear(x, w), p: 0.1)"),
  },
  MM4001: {
    wrong: classifier("Linear(768, classes)"),
    fixed: classifier("Linear(width, classes)"),
  },
  MM4002: {
    wrong: probe("return x @ w", "x: [B, 48]", "[B, width]"),
    fixed: probe("return x @ w", "x: [B, width]", "[B, width]"),
  },
  MM4003: {
    wrong: probe("return x + w", "x: [B, 50, 48]", "[B, 50, width]").replace("[width, width]", "[50, width]"),
    fixed: probe("return x + w", "x: [B, 50, width]", "[B, 50, width]").replace("[width, width]", "[50, width]"),
  },
  MM4004: {
    wrong: `fusion EarlyFusion(width: Int = 64, text_width: Int = 48) {
  forward(image: [B, N, width], text: [B, T, text_width]) -> [B, N + T, width] {
    return concat([image, text], axis: 1)
  }
}
`,
    fixed: `fusion EarlyFusion(width: Int = 64, text_width: Int = 48) {
  param text_proj: [width, text_width] init xavier_uniform
  forward(image: [B, N, width], text: [B, T, text_width]) -> [B, N + T, width] {
    return concat([image, linear(text, text_proj)], axis: 1)
  }
}
`,
  },
  MM4005: {
    wrong: `block SplitHeads(width: Int = 64, heads: Int = 6) {
  forward(x: [B, T, width]) -> [B, T, heads, 12] {
    return reshape(x, [B, T, heads, 12])
  }
}
`,
    fixed: `block SplitHeads(width: Int = 64, heads: Int = 4) {
  forward(x: [B, T, width]) -> [B, T, heads, width / heads] {
    return reshape(x, [B, T, heads, width / heads])
  }
}
`,
  },
  MM4006: {
    wrong: `block ConvStem(channels: Int = 3, width: Int = 64) {
  param conv1: [32, channels, 3, 3] init kaiming_uniform
  param conv2: [width, 64, 3, 3] init kaiming_uniform
  forward(x: [B, channels, H, W]) -> [B, width, H, W] {
    return conv2d(relu(conv2d(x, conv1, padding: 1)), conv2, padding: 1)
  }
}
`,
    fixed: `block ConvStem(channels: Int = 3, width: Int = 64) {
  param conv1: [32, channels, 3, 3] init kaiming_uniform
  param conv2: [width, 32, 3, 3] init kaiming_uniform
  forward(x: [B, channels, H, W]) -> [B, width, H, W] {
    return conv2d(relu(conv2d(x, conv1, padding: 1)), conv2, padding: 1)
  }
}
`,
  },
  MM4007: {
    wrong: attention(100, 8).replace("where width % heads == 0 ", ""),
    fixed: attention(100, 10).replace("where width % heads == 0 ", ""),
  },
  MM4008: {
    wrong: `head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  forward(pooled: [B, width]) -> [B, classes] {
    return linear(pooled, weight)
  }
}

model TextClassifier(width: Int = 64) {
  head = Classifier(width)
  input tokens: [B, 16, width]
  forward {
    output logits = head(tokens)
  }
}
`,
    fixed: `head Classifier(width: Int = 64, classes: Int = 10) {
  param weight: [classes, width] init zeros
  forward(pooled: [B, width]) -> [B, classes] {
    return linear(pooled, weight)
  }
}

model TextClassifier(width: Int = 64) {
  head = Classifier(width)
  input tokens: [B, 16, width]
  forward {
    output logits = head(mean(tokens, axes: [1]))
  }
}
`,
  },
  MM4009: {
    wrong: probe("return softmax(linear(x, w), axis: 3)"),
    fixed: probe("return softmax(linear(x, w), axis: 2)"),
  },
  MM4010: {
    wrong: `tower TextTower(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed)
  }
}

model TextModel() {
  text = TextTower()
  input tokens: [B, 16]
  forward {
    output features = text(tokens)
  }
}
`,
    fixed: `tower TextTower(vocab: Int = 1000, width: Int = 64) {
  param embed: [vocab, width] init normal(std: 0.02)
  forward(tokens: [B, T] int64) -> [B, T, width] {
    return embedding(tokens, embed)
  }
}

model TextModel() {
  text = TextTower()
  input tokens: [B, 16] int64
  forward {
    output features = text(tokens)
  }
}
`,
  },
  MM4011: {
    wrong: `block TokensToMap(width: Int = 64) {
  forward(tokens: [B, H * W, width]) -> [B, width, H, W] {
    return reshape(tokens.T, [B, width, H, W])
  }
}

model DenseHead(width: Int = 64) {
  to_map = TokensToMap(width)
  input patch_tokens: [B, 196, width]
  forward {
    output feature_map = to_map(patch_tokens)
  }
}
`,
    fixed: `block TokensToMap(width: Int = 64, grid: Int = 14) {
  forward(tokens: [B, grid * grid, width]) -> [B, width, grid, grid] {
    return reshape(tokens.T, [B, width, grid, grid])
  }
}

model DenseHead(width: Int = 64) {
  to_map = TokensToMap(width)
  input patch_tokens: [B, 196, width]
  forward {
    output feature_map = to_map(patch_tokens)
  }
}
`,
  },
  MM4012: {
    wrong: `fusion Gate(width: Int = 64) {
  param w: [width, 2 * width] init xavier_uniform
  forward(image: [B, width], text: [B, width]) -> [B, width] {
    return sigmoid(linear(concat([image, text], axis: -1), w)) * image
  }
}

model Fused(width: Int = 64) {
  gate = Gate(width)
  input image: [B, width]
  input text: [B, width]
  forward {
    output fused = gate(image, txt: text)
  }
}
`,
    fixed: `fusion Gate(width: Int = 64) {
  param w: [width, 2 * width] init xavier_uniform
  forward(image: [B, width], text: [B, width]) -> [B, width] {
    return sigmoid(linear(concat([image, text], axis: -1), w)) * image
  }
}

model Fused(width: Int = 64) {
  gate = Gate(width)
  input image: [B, width]
  input text: [B, width]
  forward {
    output fused = gate(image, text: text)
  }
}
`,
  },
  MM4013: {
    wrong: probe("return tokens[:, 50]", "tokens: [B, 50, width]", "[B, width]"),
    fixed: probe("return tokens[:, 0]", "tokens: [B, 50, width]", "[B, width]"),
  },
  MM5001: {
    wrong: probe("tokens = linear(x, w)", "x: [B, T, width]", "(tokens: [B, T, width], pooled: [B, width])"),
    fixed: probe("tokens = linear(x, w)\n    pooled = mean(linear(x, w), axes: [1])", "x: [B, T, width]", "(tokens: [B, T, width], pooled: [B, width])"),
  },
  MM5002: {
    wrong: probe("return linear(x, w)", "x: [B, T, width], mask: [B, T] bool"),
    fixed: probe("return linear(x, w)", "x: [B, T, width]"),
  },
  MM5003: {
    wrong: `loss MSE() {\n  forward(pred: [B, D], target: [B, D]) -> [B] {\n    return mean((pred - target) ** 2, axes: [1])\n  }\n}\n`,
    fixed: `loss MSE() {\n  forward(pred: [B, D], target: [B, D]) -> [] {\n    return mean((pred - target) ** 2)\n  }\n}\n`,
  },
  MM5004: {
    wrong: dualEncoder("task retrieval { outputs: image_embeds, text_embeddings }"),
    fixed: dualEncoder("task retrieval { outputs: image_embeds, text_embeds }"),
  },
  MM5005: { wrong: experts("audio"), fixed: experts("text") },
  MM5006: {
    wrong: `block QueryTokens(count: Int = 8, width: Int = 64) {
  param tokens: [count, width] init normal(std: 0.02)
}

model Queries(width: Int = 64) {
  queries = QueryTokens(8, width)
  input image_tokens: [B, 49, width]
  forward {
    output pooled = queries(image_tokens)
  }
}
`,
    fixed: `block QueryTokens(count: Int = 8, width: Int = 64) {
  param tokens: [count, width] init normal(std: 0.02)
  forward(image_tokens: [B, N, width]) -> [B, count, width] {
    let q = expand(unsqueeze(tokens, 0), [B, count, width])
    return attention(q, image_tokens, image_tokens, heads: 4)
  }
}

model Queries(width: Int = 64) {
  queries = QueryTokens(8, width)
  input image_tokens: [B, 49, width]
  forward {
    output pooled = queries(image_tokens)
  }
}
`,
  },
  MM5007: {
    wrong: probe("let y = x + linear(x, w)"),
    fixed: probe("return x + linear(x, w)"),
  },
  MM5008: {
    wrong: `${ENCODER}\nmodel EncoderWide = Encoder(width: 64)\n`,
    fixed: `${ENCODER}\nmodel Retrieval(width: Int = 32) {\n  image = Encoder(48, width)\n  input features: [B, 48]\n  forward {\n    output embeds = image(features)\n  }\n}\n\nmodel RetrievalWide = Retrieval(width: 64)\n`,
  },
  MM5009: {
    wrong: `## GPT-4 with vision: the literature names it, its architecture was never published.
model GPT4V = unpublished "GPT-4V"

model GPT4VMini = GPT4V
`,
    fixed: `## GPT-4 with vision: the literature names it, its architecture was never published.
model GPT4V = unpublished "GPT-4V"
`,
  },
};
