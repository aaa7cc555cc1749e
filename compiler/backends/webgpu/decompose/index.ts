// Rewrites ops the WebGPU kernels do not implement directly (losses, group_norm,
// cosine_similarity...) into ops they do, on the specialised graph. Each rule lives in
// its own file and builds nodes with the Builder (shapes computed as it goes).
import type { CGraph, CNode } from "../graph.js";
import { Builder } from "./builder.js";
import { RULES } from "./rules.js";

export function decompose(g: CGraph): CGraph {
  if (!g.nodes.some((n) => RULES[n.op])) return g;
  const b = new Builder(g);
  const nodes: CNode[] = [];
  for (const n of g.nodes) {
    const rule = RULES[n.op];
    if (!rule) {
      nodes.push(n);
      continue;
    }
    b.begin(n.label);
    const outs = rule(b, n);
    const made = b.end();
    // The rule's results take over the node's output ids, so consumers need no rewiring.
    const rename = new Map(outs.map((o, k) => [o, n.outputs[k]!]));
    const r = (id: number | null): number | null => (id === null ? null : rename.get(id) ?? id);
    nodes.push(...made.map((m) => ({ ...m, inputs: m.inputs.map(r), outputs: m.outputs.map((o) => r(o)!) })));
    for (const o of outs) if (rename.get(o) !== o) b.retire(o);
  }
  return { ...g, nodes };
}
