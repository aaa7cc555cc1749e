// cse: common-subexpression elimination. Two nodes with the same op, the same inputs (after
// earlier merges), the same attributes and the same output types compute the same values,
// so later uses read the first one; constants with equal value, dtype and shape merge too.
// A node whose output is a graph output is never merged away (outputs keep their names);
// dropout is left alone (two dropouts draw different masks while training).
import type { IrGraph, IrNode } from "../ir.js";

export function cse(g: IrGraph): IrGraph {
  const rep = new Map<number, number>();
  const at = (id: number): number => rep.get(id) ?? id;
  const seen = new Map<string, number>();
  for (const v of g.values) {
    if (v.source.kind !== "constant") continue;
    const key = `const|${typeKey(v.type)}|${JSON.stringify(v.source.value)}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, v.id);
    else rep.set(v.id, first);
  }
  const vm = new Map(g.values.map((v) => [v.id, v]));
  const isOutput = new Set(g.outputs.map((o) => o.value));
  const nodes: IrNode[] = [];
  const firstNode = new Map<string, IrNode>();
  for (const n0 of g.nodes) {
    const n: IrNode = { ...n0, inputs: n0.inputs.map((i) => (i === null ? null : at(i))) };
    const key = `${n.op}|${n.inputs.join(",")}|${stableJson(n.attrs)}|${n.outputs.map((o) => typeKey(vm.get(o)!.type)).join(";")}`;
    const prev = firstNode.get(key);
    if (prev && n.op !== "dropout" && !n.outputs.some((o) => isOutput.has(o))) {
      n.outputs.forEach((o, k) => rep.set(o, prev.outputs[k]!));
      continue;
    }
    if (!prev) firstNode.set(key, n);
    nodes.push(n);
  }
  return {
    ...g,
    values: g.values.filter((v) => !rep.has(v.id)),
    nodes,
    // Merged values were constants or node outputs, never inputs or parameters.
  };
}

function typeKey(t: { shape: readonly { key: string }[]; dtype: string }): string {
  return `${t.dtype}[${t.shape.map((d) => d.key).join(",")}]`;
}

/** JSON with sorted keys, so attribute order does not matter. */
export function stableJson(attrs: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.keys(attrs).sort().map((k) => [k, attrs[k]]));
}
