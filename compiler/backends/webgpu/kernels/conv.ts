// Convolution (1-D, 2-D, 3-D, grouped, strided, dilated, padded) as an implicit GEMM on
// the tiled template: per group, C[o, (n, pos)] = W[o, (c, tap)] · X[(c, tap), (n, pos)],
// where the X operand is gathered from the input image while the tile is staged (no
// im2col buffer). The bias and any fused epilogue run at the store.
import { gpuType } from "../graph.js";
import { gemm } from "./gemm.js";
import { attrNums, type KernelGen } from "./kernel.js";
import { storeWithEpilogue } from "./matmul.js";
import { flatIndex, unflatten, type BindingDecl } from "./wgsl.js";

export const convGen: KernelGen = (node, ctx) => {
  const x = ctx.tensor(node.inputs[0]!), w = ctx.tensor(node.inputs[1]!);
  const bias = node.inputs[2] ?? null;
  const out = ctx.tensor(node.outputs[0]!);
  const nd = x.shape.length - 2;
  const per = (name: string): number[] => {
    const v = attrNums(node, name);
    return Array.from({ length: nd }, (_, i) => v[v.length === 1 ? 0 : i]!);
  };
  const stride = per("stride"), pad = per("padding"), dil = per("dilation");
  const groups = typeof node.attrs.groups === "number" ? node.attrs.groups : 1;
  const [batch, cin] = [x.shape[0]!, x.shape[1]!];
  const cout = out.shape[1]!;
  const og = cout / groups, cg = cin / groups;
  const ksp = w.shape.slice(2), isp = x.shape.slice(2), osp = out.shape.slice(2);
  const taps = ksp.reduce((a, b) => a * b, 1), S = osp.reduce((a, b) => a * b, 1);
  const K = cg * taps;
  const tap = unflatten("tp", ksp, "kt");
  const spatial = isp.reduce((p, q) => p * q, 1);
  // Per output column: its image and output position; per k: its channel and kernel tap.
  const colSetup = (j: number): string[] => {
    const pos = unflatten(`sp${j}`, osp, `o${j}_`);
    return [`let n${j} = col${j} / ${S}; let sp${j} = col${j} % ${S};`, ...pos.lines,
      ...isp.map((_, d) => `let base${j}_${d} = ${pos.coords[d]} * ${stride[d]} - ${pad[d]};`)];
  };
  const loadB = (j: number): string[] => [
    ...(j === 0 ? ["let ci = k / " + taps + "; let tp = k % " + taps + ";", ...tap.lines] : []),
    ...isp.map((_, d) => `let ic${j}_${d} = base${j}_${d} + ${tap.coords[d]} * ${dil[d]};`),
    `if (${isp.map((n, d) => `ic${j}_${d} >= 0 && ic${j}_${d} < ${n}`).join(" && ")}) {`,
    `  b${j} = X[(n${j} * ${cin} + g * ${cg} + ci) * ${spatial} + ${flatIndex(isp.map((_, d) => `ic${j}_${d}`), isp)}];`,
    "}",
  ];
  const sc = unflatten("s", osp, "so");
  const st = storeWithEpilogue(ctx, node, [...sc.lines], ["n", "oc", ...sc.coords], `(n * ${cout} + oc) * ${S} + s`, bias !== null ? " + bias[oc]" : "");
  const decls: BindingDecl[] = [
    { name: "out", type: gpuType(ctx.tensor(st.out).dtype), access: "read_write" },
    { name: "W", type: "f32", access: "read" }, { name: "X", type: "f32", access: "read" },
    ...(bias !== null ? [{ name: "bias", type: "f32" as const, access: "read" as const }] : []), ...st.decls,
  ];
  const g = gemm({
    m: og, n: batch * S, k: K, batches: groups, decls, helpers: st.helpers,
    prelude: ["let g = z;"],
    loadA: (row) => `W[(g * ${og} + ${row}) * ${K} + k]`,
    colSetup, loadB,
    store: [`let n = c / ${S}; let s = c % ${S}; let oc = g * ${og} + r;`, ...st.store],
  }, ctx.gemm);
  return [{
    name: `conv${nd}d_${g.tile}`, wgsl: g.wgsl, workgroupSize: g.workgroupSize, workgroups: g.workgroups, label: node.label,
    bindings: [
      { tensor: st.out, access: "read_write" }, { tensor: w.id, access: "read" }, { tensor: x.id, access: "read" },
      ...(bias !== null ? [{ tensor: bias, access: "read" as const }] : []), ...st.loads.map((t) => ({ tensor: t, access: "read" as const })),
    ],
  }];
};
