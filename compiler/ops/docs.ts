// Renders docs/ops.md from the op table, so the reference cannot drift from the rules.
// test/ops/docs.test.ts compares the file with this output.
import { OPS } from "./index.js";
import type { OpDef, OpParam } from "./op.js";

const CATEGORIES: ReadonlyArray<readonly [OpDef["category"], string]> = [
  ["arith", "Arithmetic and elementwise"],
  ["linalg", "Linear algebra"],
  ["shape", "Shape, indexing and creation"],
  ["reduce", "Reductions"],
  ["activation", "Activations"],
  ["norm", "Normalization"],
  ["nn", "Neural-network blocks"],
  ["conv", "Convolution and pooling"],
  ["loss", "Losses"],
  ["misc", "Miscellaneous"],
];

function param(p: OpParam): string {
  if (p.default !== undefined) return `${p.name}: ${JSON.stringify(p.default).replace(/,/g, ", ")}`;
  return p.kind.endsWith("?") ? `${p.name}?` : p.name;
}

export function signature(op: OpDef): string {
  return `${op.name}(${op.params.map(param).join(", ")})`;
}

const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string): string => (s === "" ? "" : `\`${cell(s)}\``);

export function renderOpsMarkdown(): string {
  const ops = [...OPS.values()];
  const out: string[] = [
    "# Primitive ops",
    "",
    "Generated from the op table (`compiler/ops/`) by `renderOpsMarkdown`; do not edit by hand.",
    "Shapes use `...` for any number of leading dims; axes may be negative (counted from the end).",
    "`broadcast(a, b)` follows numpy: shapes align from the right, and each pair of dims is equal or one is 1.",
    "Arguments are passed by position or by name (`softmax(x, axis: 1)`); `name?` is optional,",
    "`name: v` has a default. A parameter taking a list of Ints also accepts a single Int.",
    "",
    "**Runtime-sized arguments.** An Int argument may be a runtime dim or an expression of one",
    "(`x[:, P + n:]`, `x[:, -L:]`, `arange(T + 1)`, `topk(x, k: K)`). No op drops one: a",
    "scalar Int argument is kept in the IR as its dim expression and computed at run time (ONNX:",
    "arithmetic on `Shape` outputs of the graph's inputs) or bound when a WebGPU plan is",
    "specialised (`--bind`); a list whose values are an output's dims (reshape and expand targets,",
    "split sizes, `zeros`/`ones` shapes, adaptive pooling sizes) is carried by the output's type.",
    "Arguments an op needs at compile time (axes, `perm`, `pads`, kernel sizes, `groups`, `heads`,",
    "`step`, `k` of `tril`/`triu`) must be constants: a runtime dim there is MM3015, never a",
    "default. A symbolic slice bound is taken as non-negative unless every term of it is negative",
    "(`-L` counts from the end, as in Python). test/backends/differential.test.ts compiles every",
    "tiny model and example with symbolic dims and with constants, and compares the numbers.",
    "",
  ];
  for (const [cat, title] of CATEGORIES) {
    const rows = ops.filter((o) => o.category === cat);
    if (rows.length === 0) continue;
    out.push(`## ${title}`, "", "| op | signature | shape rule | doc | decomposition |", "| --- | --- | --- | --- | --- |");
    for (const o of rows) out.push(`| \`${o.name}\` | ${code(signature(o))} | ${code(o.shapeRule)} | ${cell(o.doc)} | ${code(o.decomposition ?? "")} |`);
    out.push("");
  }
  return out.join("\n");
}
