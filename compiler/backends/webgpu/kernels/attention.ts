// Fused attention: scores, mask, causal mask, softmax and the weighted sum of values in one
// kernel with an online softmax (running max and sum), so the [Tq, Tk] score matrix is
// never stored. One thread per (batch, head, query); the query row and the output row
// live in registers. Masked scores take the lowest finite f32, as in the ONNX lowering, so
// a fully masked row averages uniformly instead of giving NaN.
import { gpuType } from "../graph.js";
import type { KernelGen } from "./kernel.js";
import { declareBindings, entry1d, flatIndex, grid1d, literal, F32_LOWEST } from "./wgsl.js";

export const attentionGen: KernelGen = (node, ctx) => {
  const q = ctx.tensor(node.inputs[0]!), k = ctx.tensor(node.inputs[1]!), v = ctx.tensor(node.inputs[2]!);
  const maskId = node.inputs[3] ?? null;
  const mask = maskId === null ? undefined : ctx.tensor(maskId);
  const out = ctx.tensor(node.outputs[0]!);
  const multi = node.op === "attention";
  const r = q.shape.length;
  // Per-head geometry. attention: [B, T, h*d]; scaled_dot_product: [batch..., T, d].
  const h = multi ? Number(node.attrs.heads) : 1;
  const tq = q.shape[r - 2]!, tk = k.shape[k.shape.length - 2]!;
  const d = q.shape[r - 1]! / h, dv = v.shape[v.shape.length - 1]! / h;
  const batch = multi ? [q.shape[0]!] : out.shape.slice(0, -2);
  const nb = batch.reduce((a, b) => a * b, 1);
  const scale = typeof node.attrs.scale === "number" ? node.attrs.scale : 1 / Math.sqrt(d);
  const causal = node.attrs.causal === true;
  const total = nb * h * tq;
  // Row offsets of q, k, v and out for batch index `b` (broadcast batch dims read 0).
  const bOff = (shape: readonly number[], rows: number, width: number): string => {
    if (multi) return `b * ${rows * width}`;
    const own = shape.slice(0, -2);
    const coords = batch.map((_, j) => `bc${j}`).slice(batch.length - own.length);
    return `(${flatIndex(coords.map((c, j) => (own[j] === 1 ? "0" : c)), own)}) * ${rows * width}`;
  };
  const qw = q.shape[r - 1]!, kw = k.shape[k.shape.length - 1]!, vw = v.shape[v.shape.length - 1]!;
  const maskIndex = (): string => {
    if (!mask) return "0";
    const full = multi ? ["b", "hh", "qi", "j"] : [...batch.map((_, j) => `bc${j}`), "qi", "j"];
    const fullShape = multi ? [nb, h, tq, tk] : [...batch, tq, tk];
    const off = fullShape.length - mask.shape.length;
    return flatIndex(mask.shape.map((dm, j) => (dm === 1 ? "0" : full[j + off]!)), mask.shape);
  };
  const grid = grid1d(total, 64);
  const maskLine = !mask ? "" : gpuType(mask.dtype) === "u32"
    ? `if (M[${maskIndex()}] == 0u) { s = ${literal(F32_LOWEST, "f32")}; }`
    : `s = s + f32(M[${maskIndex()}]);`;
  const decls = [
    { name: "out", type: "f32" as const, access: "read_write" as const },
    { name: "Q", type: "f32" as const, access: "read" as const }, { name: "K", type: "f32" as const, access: "read" as const },
    { name: "V", type: "f32" as const, access: "read" as const },
    ...(mask ? [{ name: "M", type: gpuType(mask.dtype), access: "read" as const }] : []),
  ];
  const batchCoords = multi ? [] : batch.map((bd, j) => {
    const inner = batch.slice(j + 1).reduce((a, b) => a * b, 1);
    return `let bc${j} = (b / ${inner}) % ${bd};`;
  });
  const wgsl = `${declareBindings(decls)}

${entry1d(64)}
  ${grid.prologue.join("\n  ")}
  let qi = i % ${tq};
  let hh = (i / ${tq}) % ${h};
  let b = i / ${tq * h};
  ${batchCoords.join("\n  ")}
  let qo = ${bOff(q.shape, tq, qw)} + qi * ${qw} + hh * ${d};
  let ko = ${bOff(k.shape, tk, kw)} + hh * ${d};
  let vo = ${bOff(v.shape, tk, vw)} + hh * ${dv};
  var qv: array<f32, ${d}>;
  for (var t = 0; t < ${d}; t++) { qv[t] = Q[qo + t] * ${literal(scale, "f32")}; }
  var acc: array<f32, ${dv}>;
  var m = (-3.4028234663852886e38f);
  var l = 0.0f;
  for (var j = 0; j < ${tk}; j++) {
    var s = 0.0f;
    for (var t = 0; t < ${d}; t++) { s = fma(qv[t], K[ko + j * ${kw} + t], s); }
    ${maskLine}
    ${causal ? `if (j > qi) { s = ${literal(F32_LOWEST, "f32")}; }` : ""}
    let mn = max(m, s);
    let corr = exp(m - mn);
    let p = exp(s - mn);
    l = l * corr + p;
    for (var t = 0; t < ${dv}; t++) { acc[t] = fma(p, V[vo + j * ${vw} + t], acc[t] * corr); }
    m = mn;
  }
  let oo = ${multi ? `(b * ${tq} + qi) * ${h * dv} + hh * ${dv}` : `i * ${dv}`};
  for (var t = 0; t < ${dv}; t++) { out[oo + t] = acc[t] / l; }
}
`;
  return [{
    name: node.op, wgsl, workgroupSize: [64, 1, 1], workgroups: grid.workgroups, label: node.label,
    bindings: [
      { tensor: out.id, access: "read_write" }, { tensor: q.id, access: "read" }, { tensor: k.id, access: "read" },
      { tensor: v.id, access: "read" }, ...(mask ? [{ tensor: mask.id, access: "read" as const }] : []),
    ],
  }];
};
