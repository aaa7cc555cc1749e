// Reductions over axes (sum, mean, max, min, prod, logsumexp, argmax, argmin): the
// reduced axes are moved innermost, the rest index the output. A workgroup of 64 threads
// reduces each output element: strided partial results, then a tree in workgroup memory,
// so long rows (a whole-tensor mean) are spread over the group rather than one thread.
import { gpuType, type CNode } from "../graph.js";
import { attrNum, type Kernel, type KernelGen } from "./kernel.js";
import { declareBindings, flatIndex, literal, unflatten, workgroupTree, MAX_GROUPS } from "./wgsl.js";

const R = 64;

interface Reduction {
  readonly init: string;
  /** Combines accumulator `a` with element `x` (index `k` along the reduced range). */
  readonly step: (a: string, x: string) => string;
  readonly finish: (a: string, count: number) => string;
}

function reductionOf(op: string, t: "f32" | "i32" | "u32"): Reduction {
  const zero = literal(0, t === "u32" ? "i32" : t);
  switch (op) {
    case "sum": return { init: zero, step: (a, x) => `${a} + ${x}`, finish: (a) => a };
    case "mean": return { init: "0.0f", step: (a, x) => `${a} + ${x}`, finish: (a, n) => `${a} / ${literal(n, "f32")}` };
    case "prod": return { init: literal(1, t === "u32" ? "i32" : t), step: (a, x) => `${a} * ${x}`, finish: (a) => a };
    case "max": return { init: t === "f32" ? "(-3.4028234663852886e38f)" : "i32(-2147483647 - 1)", step: (a, x) => `max(${a}, ${x})`, finish: (a) => a };
    case "min": return { init: t === "f32" ? "3.4028234663852886e38f" : "2147483647i", step: (a, x) => `min(${a}, ${x})`, finish: (a) => a };
    default: throw new Error(`not a reduction: ${op}`);
  }
}

/** Lines and launch shared by the reductions: `o` is the output element, the group's
 *  threads walk the reduced range with `k`, and `x` is the element at (o, k). */
function frame(node: CNode, xShape: readonly number[], axes: readonly number[], outCount: number): {
  n: number; workgroups: [number, number, number]; head: string[]; elem: string;
} {
  const kept = xShape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => xShape[i]!), redShape = axes.map((i) => xShape[i]!);
  const n = redShape.reduce((a, b) => a * b, 1);
  const x = Math.min(outCount, MAX_GROUPS), y = Math.ceil(outCount / x);
  const ko = unflatten("o", keptShape, "ko"), kr = unflatten("k", redShape, "kr");
  const coords = new Array<string>(xShape.length);
  kept.forEach((a, j) => (coords[a] = ko.coords[j]!));
  axes.forEach((a, j) => (coords[a] = kr.coords[j]!));
  void node;
  return {
    n, workgroups: [x, y, 1],
    head: [`let o = i32(wid.y * ${x}u + wid.x);`, `if (o >= ${outCount}) { return; }`, ...ko.lines],
    elem: [...kr.lines, `let xi = ${flatIndex(coords, xShape)};`].join(" "),
  };
}

function axesOf(node: CNode, rank: number): number[] {
  const a = node.attrs.axes ?? node.attrs.axis;
  if (a === null || a === undefined) return Array.from({ length: rank }, (_, i) => i);
  return (Array.isArray(a) ? a.map(Number) : [Number(a)]).map((v) => (v < 0 ? v + rank : v)).sort((p, q) => p - q);
}

export const reduceGen: KernelGen = (node, ctx) => {
  const x = ctx.tensor(node.inputs[0]!), out = ctx.tensor(node.outputs[0]!);
  const axes = axesOf(node, x.shape.length);
  const outCount = out.shape.reduce((a, b) => a * b, 1);
  const f = frame(node, x.shape, axes, outCount);
  const xt = gpuType(x.dtype), ot = gpuType(out.dtype);
  const acc = node.op === "mean" ? "f32" : ot === "u32" ? "i32" : ot;
  const r = reductionOf(node.op === "logsumexp" ? "max" : node.op, acc);
  const load = (v: string): string => (xt === acc ? v : `${acc}(${v})`);
  const body: string[] = [...f.head, ...(node.op === "logsumexp"
    ? [
      `var m = ${r.init};`,
      `for (var k = i32(lid); k < ${f.n}; k += ${R}) { ${f.elem} m = max(m, ${load("X[xi]")}); }`,
      ...workgroupTree("m", (a, b) => `max(${a}, ${b})`, R),
      "let mx = m;",
      "var s = 0.0f;",
      `for (var k = i32(lid); k < ${f.n}; k += ${R}) { ${f.elem} s += exp(${load("X[xi]")} - mx); }`,
      ...workgroupTree("s", (a, b) => `${a} + ${b}`, R, "red2"),
      "if (lid == 0u) { out[o] = select(mx + log(s), mx, mx == (-3.4028234663852886e38f)); }",
    ]
    : [
      `var a = ${r.init};`,
      `for (var k = i32(lid); k < ${f.n}; k += ${R}) { ${f.elem} a = ${r.step("a", load("X[xi]"))}; }`,
      ...workgroupTree("a", r.step, R),
      `if (lid == 0u) { out[o] = ${acc === ot ? r.finish("a", f.n) : `${ot}(${r.finish("a", f.n)})`}; }`,
    ])];
  return [kernel(node, x.id, out.id, xt, ot, f.workgroups, body, [acc, node.op === "logsumexp" ? "f32" : acc])];
};

/** argmax/argmin along one axis: the first position of the extreme value (PyTorch's tie rule). */
export const argGen: KernelGen = (node, ctx) => {
  const x = ctx.tensor(node.inputs[0]!), out = ctx.tensor(node.outputs[0]!);
  const axis = attrNum(node, "axis");
  const outCount = out.shape.reduce((a, b) => a * b, 1);
  const f = frame(node, x.shape, [axis], outCount);
  const xt = gpuType(x.dtype);
  const better = node.op === "argmax" ? ">" : "<";
  const body = [...f.head,
    "var a = 0.0f;", "var ai = -1;",
    `for (var k = i32(lid); k < ${f.n}; k += ${R}) { ${f.elem} let v = f32(X[xi]); if (ai < 0 || v ${better} a) { a = v; ai = k; } }`,
    "red[lid] = a; redi[lid] = ai;",
    "workgroupBarrier();",
    `for (var w = ${R / 2}u; w > 0u; w = w / 2u) {`,
    "  if (lid < w) {",
    "    let v = red[lid + w]; let vi = redi[lid + w];",
    `    if (vi >= 0 && (redi[lid] < 0 || v ${better} red[lid] || (v == red[lid] && vi < redi[lid]))) { red[lid] = v; redi[lid] = vi; }`,
    "  }",
    "  workgroupBarrier();",
    "}",
    "if (lid == 0u) { out[o] = redi[0]; }",
  ];
  void xt;
  return [kernel(node, x.id, out.id, xt, "i32", f.workgroups, body, ["f32"], true)];
};

function kernel(node: CNode, x: number, out: number, xt: "f32" | "i32" | "u32", ot: "f32" | "i32" | "u32",
  workgroups: [number, number, number], body: string[], redTypes: string[], withIndex = false): Kernel {
  const shared = redTypes.map((t, i) => `var<workgroup> ${i === 0 ? "red" : "red2"}: array<${t === "u32" ? "i32" : t}, ${R}>;`);
  if (withIndex) shared.push(`var<workgroup> redi: array<i32, ${R}>;`);
  const wgsl = `${declareBindings([{ name: "out", type: ot, access: "read_write" }, { name: "X", type: xt, access: "read" }])}
${shared.join("\n")}

@compute @workgroup_size(${R})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  ${body.join("\n  ")}
}
`;
  return {
    name: `reduce_${node.op}`, wgsl, workgroupSize: [R, 1, 1], workgroups,
    bindings: [{ tensor: out, access: "read_write" }, { tensor: x, access: "read" }], label: node.label,
  };
}

