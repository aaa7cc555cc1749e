// Wrong and fixed programs for the value and elaboration codes (MM3xxx).
import type { CodeExample } from "./codes.js";
import { LINEAR, classifier, attention, probe } from "./examples-shared.js";

export const VALUE_EXAMPLES: Readonly<Record<string, CodeExample>> = {
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
};
