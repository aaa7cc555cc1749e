// The cost of one traced node at bound sizes: multiply-accumulates (the products of
// matmul, linear, convolution and attention) and FLOPs (2 per MAC plus a documented count
// per element for everything else). The table in docs/summary.md is the specification.
import type { Dim } from "../../base/dims.js";
import type { Graph } from "../../check/graph.js";
import type { IrNode } from "../../ir/ir.js";
import { OPS } from "../../ops/index.js";

export interface NodeCost {
  readonly macs: number;
  readonly flops: number;
}

export type Bind = (d: Dim) => number;

/** FLOPs per output element of elementwise ops that cost more than one. */
const PER_ELEMENT: Readonly<Record<string, number>> = {
  gelu: 8, quick_gelu: 4, silu: 4, sigmoid: 4, tanh: 1, softplus: 3, relu: 1,
  softmax: 5, log_softmax: 5,
  layer_norm: 7, rms_norm: 4, batch_norm: 4, group_norm: 7, normalize: 3,
};

/** Ops that cost nothing: layout, indexing, creation, identity (a view or a copy). */
const FREE_CATEGORIES = new Set(["shape", "misc"]);
const FREE_OPS = new Set(["embedding", "dropout", "one_hot", "cast"]);

const ZERO: NodeCost = { macs: 0, flops: 0 };

export function nodeCost(graph: Graph, node: IrNode, bind: Bind): NodeCost {
  const shapeOf = (id: number | null | undefined): readonly number[] =>
    id === null || id === undefined ? [] : graph.values[id]!.type.shape.map(bind);
  const count = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
  const out = count(shapeOf(node.outputs[0]));
  const inp = count(shapeOf(node.inputs[0]));
  const def = OPS.get(node.op);
  switch (node.op) {
    case "linear": {
      const x = shapeOf(node.inputs[0]);
      const macs = out * (x[x.length - 1] ?? 1);
      return { macs, flops: 2 * macs + (node.attrs.bias ? out : 0) };
    }
    case "matmul": {
      const a = shapeOf(node.inputs[0]);
      const macs = out * (a[a.length - 1] ?? 1);
      return { macs, flops: 2 * macs };
    }
    case "conv1d": case "conv2d": case "conv3d": {
      const w = shapeOf(node.inputs[1]);
      const perOut = count(w.slice(1)); // in_channels / groups × kernel volume
      const macs = out * perOut;
      return { macs, flops: 2 * macs + (node.attrs.bias ? out : 0) };
    }
    case "attention": case "scaled_dot_product": {
      const q = shapeOf(node.inputs[0]), k = shapeOf(node.inputs[1]), v = shapeOf(node.inputs[2]);
      const heads = node.op === "attention" ? Number(node.attrs.heads) : 1;
      const tq = q[q.length - 2]!, d = q[q.length - 1]!, tk = k[k.length - 2]!, dv = v[v.length - 1]!;
      const batch = count(shapeOf(node.outputs[0]).slice(0, -2));
      const scores = batch * heads * tq * tk;
      const perHead = (x: number): number => x / heads;
      const macs = scores * perHead(d) + scores * perHead(dv);
      const masked = node.attrs.causal === true || node.inputs[3] !== null && node.inputs[3] !== undefined;
      // scale (1) + mask (1 when masked) + softmax (5) per score
      return { macs, flops: 2 * macs + scores * (1 + (masked ? 1 : 0) + PER_ELEMENT.softmax!) };
    }
    case "max_pool1d": case "max_pool2d": case "max_pool3d":
    case "avg_pool1d": case "avg_pool2d": case "avg_pool3d": {
      const k = node.attrs.kernel;
      return { macs: 0, flops: out * (Array.isArray(k) ? count(k) : 1) };
    }
    case "adaptive_avg_pool1d": case "adaptive_avg_pool2d": case "adaptive_avg_pool3d":
      return { macs: 0, flops: inp };
    case "cosine_similarity":
      return { macs: 0, flops: 6 * inp };
    case "cross_entropy": case "binary_cross_entropy_with_logits": case "kl_div":
      return { macs: 0, flops: 6 * inp };
    case "mse":
      return { macs: 0, flops: 3 * inp };
  }
  if (!def || FREE_CATEGORIES.has(def.category) || FREE_OPS.has(node.op)) return ZERO;
  if (def.category === "reduce") return { macs: 0, flops: inp };
  const per = PER_ELEMENT[node.op];
  if (per !== undefined) return { macs: 0, flops: per * (def.category === "norm" ? inp : out) };
  // elementwise arithmetic and comparisons: one per output element
  return { macs: 0, flops: out };
}

