// Wrong and fixed programs for the shape and model-structure codes (MM4xxx, MM5xxx).
import type { CodeExample } from "./codes.js";
import { ENCODER, classifier, attention, probe, dualEncoder, experts } from "./examples-shared.js";

export const SHAPE_EXAMPLES: Readonly<Record<string, CodeExample>> = {
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
