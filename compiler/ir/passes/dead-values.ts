// dead-values: removes nodes no output needs, and the inputs, parameters and constants
// that only they read. A node with several outputs stays whole while any one is needed.
// Inputs the task pins (`inputs:`) stay: they are part of the task's interface.
import type { IrGraph } from "../ir.js";

export function deadValues(g: IrGraph): IrGraph {
  const live = new Set<number>(g.outputs.map((o) => o.value));
  const keepNode = new Set<number>();
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k]!;
    if (!n.outputs.some((o) => live.has(o))) continue;
    keepNode.add(n.id);
    for (const o of n.outputs) live.add(o);
    for (const i of n.inputs) if (i !== null) live.add(i);
  }
  for (const i of g.inputs) if (i.pinned) live.add(i.value);
  return {
    ...g,
    values: g.values.filter((v) => live.has(v.id)),
    nodes: g.nodes.filter((n) => keepNode.has(n.id)),
    inputs: g.inputs.filter((i) => live.has(i.value)),
    params: g.params.filter((p) => live.has(p.value)),
  };
}
