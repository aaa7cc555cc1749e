// Wrong and fixed programs for each diagnostic code (see codes.ts). Each is a whole file,
// `main.mm`; `files` are other files of its project (for the import codes), and `fixedFiles`
// replaces them for the fixed program. test/diagnostics/examples.test.ts checks that `wrong`
// reports the code and `fixed` reports nothing; docs/errors.md and `mm explain` show them.
import type { CodeExample } from "./codes.js";
import { SHAPE_EXAMPLES } from "./examples-shapes.js";
import { VALUE_EXAMPLES } from "./examples-values.js";
import { LINEAR, classifier, attention, probe } from "./examples-shared.js";

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
  ...VALUE_EXAMPLES,
  ...SHAPE_EXAMPLES,
};
