// Normalisations along one axis, one workgroup per row: softmax, log_softmax, layer_norm,
// rms_norm and normalize. The row's statistics are reduced in workgroup memory, then every
// thread writes its strided share of the row; the row is read from global memory once per
// pass, never stored in between.
import { gpuType, type CNode } from "../graph.js";
import { attrNum, type KernelGen } from "./kernel.js";
import { declareBindings, literal, workgroupTree, MAX_GROUPS } from "./wgsl.js";

const R = 64;

/** Every invocation's `v` reduced over the group into `${v}_all` (red is free afterwards). */
function groupReduce(v: string, combine: (a: string, b: string) => string): string[] {
  return [...workgroupTree(v, combine, R), `let ${v}_all = ${v};`, "workgroupBarrier();"];
}
const sumTree = (v: string): string[] => groupReduce(v, (a, b) => `${a} + ${b}`);
const maxTree = (v: string): string[] => groupReduce(v, (a, b) => `max(${a}, ${b})`);

/** Loop over the row: `x` is the element, `xi` its index, `k` its position along the axis. */
const each = (n: number, body: string): string =>
  `for (var k = i32(lid); k < ${n}; k += ${R}) { let xi = base + k * inner; let x = X[xi]; ${body} }`;

function axisOf(node: CNode, rank: number): number {
  const a = attrNum(node, "axis");
  return a < 0 ? a + rank : a;
}

export const rowGen: KernelGen = (node, ctx) => {
  const x = ctx.tensor(node.inputs[0]!), out = ctx.tensor(node.outputs[0]!);
  const axis = axisOf(node, x.shape.length);
  const n = x.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const rows = x.shape.reduce((a, b) => a * b, 1) / n;
  const eps = typeof node.attrs.eps === "number" ? literal(node.attrs.eps, "f32") : "0.0f";
  const weight = ["layer_norm", "rms_norm"].includes(node.op) ? node.inputs[1] ?? null : null;
  const bias = node.op === "layer_norm" ? node.inputs[2] ?? null : null;
  const scale = `${weight !== null ? " * W[k]" : ""}${bias !== null ? " + Bv[k]" : ""}`;
  let body: string[];
  switch (node.op) {
    case "softmax":
    case "log_softmax":
      body = [
        "var m = (-3.4028234663852886e38f);", each(n, "m = max(m, x);"), ...maxTree("m"),
        "var s = 0.0f;", each(n, "s += exp(x - m_all);"), ...sumTree("s"),
        node.op === "softmax" ? each(n, "out[xi] = exp(x - m_all) / s_all;") : each(n, "out[xi] = x - m_all - log(s_all);"),
      ];
      break;
    case "layer_norm":
      body = [
        "var s = 0.0f;", each(n, "s += x;"), ...sumTree("s"), `let mean = s_all / ${literal(n, "f32")};`,
        "var q = 0.0f;", each(n, "let d = x - mean; q += d * d;"), ...sumTree("q"),
        `let rstd = inverseSqrt(q_all / ${literal(n, "f32")} + ${eps});`,
        each(n, `out[xi] = (x - mean) * rstd${scale};`),
      ];
      break;
    case "rms_norm":
      body = [
        "var q = 0.0f;", each(n, "q += x * x;"), ...sumTree("q"),
        `let rstd = inverseSqrt(q_all / ${literal(n, "f32")} + ${eps});`,
        each(n, `out[xi] = x * rstd${scale};`),
      ];
      break;
    case "normalize": {
      const p = attrNum(node, "p");
      const term = p === 2 ? "x * x" : p === 1 ? "abs(x)" : `pow(abs(x), ${literal(p, "f32")})`;
      const norm = p === 2 ? "sqrt(q_all)" : p === 1 ? "q_all" : `pow(q_all, ${literal(1 / p, "f32")})`;
      body = ["var q = 0.0f;", each(n, `q += ${term};`), ...sumTree("q"), `let nrm = max(${norm}, ${eps});`, each(n, "out[xi] = x / nrm;")];
      break;
    }
    default: throw new Error(`not a row op: ${node.op}`);
  }
  const gx = Math.min(rows, MAX_GROUPS), gy = Math.ceil(rows / gx);
  const decls = [
    { name: "out", type: gpuType(out.dtype), access: "read_write" as const }, { name: "X", type: "f32" as const, access: "read" as const },
    ...(weight !== null ? [{ name: "W", type: "f32" as const, access: "read" as const }] : []),
    ...(bias !== null ? [{ name: "Bv", type: "f32" as const, access: "read" as const }] : []),
  ];
  const wgsl = `${declareBindings(decls)}
var<workgroup> red: array<f32, ${R}>;

@compute @workgroup_size(${R})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32(wid.y * ${gx}u + wid.x);
  if (row >= ${rows}) { return; }
  let inner = ${inner};
  let base = (row / inner) * ${n * inner} + row % inner;
  ${body.join("\n  ")}
}
`;
  return [{
    name: node.op, wgsl, workgroupSize: [R, 1, 1], workgroups: [gx, gy, 1], label: node.label,
    bindings: [
      { tensor: out.id, access: "read_write" }, { tensor: x.id, access: "read" },
      ...(weight !== null ? [{ tensor: weight, access: "read" as const }] : []),
      ...(bias !== null ? [{ tensor: bias, access: "read" as const }] : []),
    ],
  }];
};
