// Which ops are map ops (fusable, compiled by the map codegen) and which have kernel
// generators of their own; and which kernels can take a fused epilogue.
import type { CGraph, CNode } from "../graph.js";
import { attentionGen } from "./attention.js";
import { convGen } from "./conv.js";
import { dedupeBindings } from "./dedupe.js";
import type { KernelGen } from "./kernel.js";
import type { MapOps } from "./map.js";
import { ELEMENTWISE_OPS } from "./map-elementwise.js";
import { LAYOUT_OPS } from "./map-layout.js";
import { linearGen, matmulGen } from "./matmul.js";
import { argGen, reduceGen } from "./reduce.js";
import { POOL_OPS } from "./pool.js";
import { rowGen } from "./rows.js";
import { SCAN_OPS } from "./scan.js";
import { topkGen } from "./topk.js";

export const MAP_OPS: MapOps = { ...ELEMENTWISE_OPS, ...LAYOUT_OPS, ...POOL_OPS, ...SCAN_OPS };

const GENS: Readonly<Record<string, KernelGen>> = {
  linear: linearGen,
  matmul: matmulGen,
  sum: reduceGen, mean: reduceGen, max: reduceGen, min: reduceGen, prod: reduceGen, logsumexp: reduceGen,
  argmax: argGen, argmin: argGen, topk: topkGen,
  softmax: rowGen, log_softmax: rowGen, layer_norm: rowGen, rms_norm: rowGen, normalize: rowGen,
  attention: attentionGen, scaled_dot_product: attentionGen,
  conv1d: convGen, conv2d: convGen, conv3d: convGen,
};

/** Every generator's kernels bind each tensor once (see dedupe.ts). */
export const KERNEL_GENS: Readonly<Record<string, KernelGen>> = Object.fromEntries(
  Object.entries(GENS).map(([op, gen]) => [op, ((n, ctx) => gen(n, ctx).map((k) => dedupeBindings(k))) as KernelGen]));

/** Whether a kernel's store can apply a fused elementwise chain (matmul: not with a 1-D
 *  operand, whose output drops a unit dim the store's coordinates keep). */
export function takesEpilogue(n: CNode, g: CGraph): boolean {
  if (n.op === "matmul") return n.inputs.every((i) => g.tensors.get(i!)!.shape.length >= 2);
  return ["linear", "conv1d", "conv2d", "conv3d"].includes(n.op);
}
