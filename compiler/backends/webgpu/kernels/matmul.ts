// Matrix products on the tiled GEMM template: matmul (numpy batch broadcasting, 1-D
// operands) and linear (x @ Wᵀ + bias with W in PyTorch's [out, in] layout, read
// transposed in place). The bias and any fused epilogue are applied at the single store.
import { gpuType, type CNode } from "../graph.js";
import { gemm } from "./gemm.js";
import type { Kernel, KernelContext, KernelGen } from "./kernel.js";
import { helperSource } from "./map.js";
import { flatIndex, paren, unflatten, type BindingDecl } from "./wgsl.js";

interface Product {
  readonly batch: readonly number[];
  readonly aBatch: readonly number[];
  readonly bBatch: readonly number[];
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transB: boolean;
}

/** Lines computing `${name}`, an operand's batch offset for the output batch index z. */
function batchOffset(name: string, batch: readonly number[], own: readonly number[], matSize: number): string[] {
  if (own.reduce((a, b) => a * b, 1) === 1) return [`let ${name} = 0;`];
  const u = unflatten("z", batch, `${name}_b`);
  const off = batch.length - own.length;
  const coords = own.map((d, j) => (d === 1 ? "0" : u.coords[j + off]!));
  return [...u.lines, `let ${name} = (${flatIndex(coords, own)}) * ${matSize};`];
}

/** The output tensor, its binding declaration, and the store lines with bias and epilogue.
 *  `coords` are the output coordinates of element (r, c), `flat` its index. */
export function storeWithEpilogue(ctx: KernelContext, node: CNode, coordLines: readonly string[], coords: readonly string[], flat: string,
  extra: string): { out: number; decls: BindingDecl[]; loads: number[]; store: string[]; helpers: string } {
  const out = ctx.epilogue?.root ?? node.outputs[0]!;
  const ep = ctx.epilogue?.emit("acc_v", coords, "oi");
  const loads = [...(ep?.loads ?? [])];
  return {
    out,
    decls: loads.map((t, i) => ({ name: `ep${i}`, type: gpuType(ctx.tensor(t).dtype), access: "read" as const })),
    loads,
    store: [...(ep ? coordLines : []), `let oi = ${flat};`, ...(extra ? [`acc_v = acc_v${extra};`] : []),
      ...(ep ? [...ep.lines, `out[oi] = ${paren(ep.value)};`] : ["out[oi] = acc_v;"])],
    helpers: ep ? helperSource(new Set(ep.helpers)) : "",
  };
}

function gemmKernel(s: Product, ctx: KernelContext, node: CNode, a: number, b: number, bias: number | null, outShape: readonly number[]): Kernel {
  const lead = outShape.slice(s.batch.length, -1);
  const zc = unflatten("z", s.batch, "zb"), rc = lead.length === 1 ? { lines: [], coords: ["r"] } : unflatten("r", lead, "rl");
  const st = storeWithEpilogue(ctx, node, [...zc.lines, ...rc.lines], [...zc.coords, ...rc.coords, "c"], `zOff + r * ${s.n} + c`, bias !== null ? " + bias[c]" : "");
  const decls: BindingDecl[] = [
    { name: "out", type: gpuType(ctx.tensor(st.out).dtype), access: "read_write" },
    { name: "A", type: "f32", access: "read" }, { name: "B", type: "f32", access: "read" },
    ...(bias !== null ? [{ name: "bias", type: "f32" as const, access: "read" as const }] : []), ...st.decls,
  ];
  const g = gemm({
    m: s.m, n: s.n, k: s.k, batches: s.batch.reduce((x, y) => x * y, 1), decls, helpers: st.helpers,
    prelude: [...batchOffset("aOff", s.batch, s.aBatch, s.m * s.k), ...batchOffset("bOff", s.batch, s.bBatch, s.k * s.n), `let zOff = z * ${s.m * s.n};`],
    loadA: (row) => `A[aOff + ${row} * ${s.k} + k]`,
    loadB: (j) => [s.transB ? `b${j} = B[bOff + col${j} * ${s.k} + k];` : `b${j} = B[bOff + k * ${s.n} + col${j}];`],
    store: st.store,
  }, ctx.gemm);
  return {
    name: `${node.op}_${g.tile}`, wgsl: g.wgsl, workgroupSize: g.workgroupSize, workgroups: g.workgroups, label: node.label,
    bindings: [
      { tensor: st.out, access: "read_write" }, { tensor: a, access: "read" }, { tensor: b, access: "read" },
      ...(bias !== null ? [{ tensor: bias, access: "read" as const }] : []), ...st.loads.map((t) => ({ tensor: t, access: "read" as const })),
    ],
  };
}

export const linearGen: KernelGen = (node, ctx) => {
  const x = ctx.tensor(node.inputs[0]!), w = ctx.tensor(node.inputs[1]!);
  const out = ctx.tensor(node.outputs[0]!);
  const k = x.shape[x.shape.length - 1]!, n = w.shape[0]!;
  const m = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return [gemmKernel({ batch: [], aBatch: [], bBatch: [], m, n, k, transB: true }, ctx, node, x.id, w.id, node.inputs[2] ?? null, out.shape)];
};

export const matmulGen: KernelGen = (node, ctx) => {
  const a = ctx.tensor(node.inputs[0]!), b = ctx.tensor(node.inputs[1]!);
  const as = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bs = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const m = as[as.length - 2]!, k = as[as.length - 1]!, n = bs[bs.length - 1]!;
  const aBatch = as.slice(0, -2), bBatch = bs.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch = Array.from({ length: rank }, (_, j) => Math.max(aBatch[j - (rank - aBatch.length)] ?? 1, bBatch[j - (rank - bBatch.length)] ?? 1));
  // Fusion gives epilogues only to products of matrices, whose output shape is [batch, m, n].
  return [gemmKernel({ batch, aBatch, bBatch, m, n, k, transB: false }, ctx, node, a.id, b.id, null, [...batch, m, n])];
};
