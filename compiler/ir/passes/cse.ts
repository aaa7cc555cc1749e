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
  let vm: Map<number, IrGraph["values"][number]> | undefined; // made when a full key is
  const typeOf = (id: number): string => typeKey((vm ??= new Map(g.values.map((v) => [v.id, v]))).get(id)!.type);
  const isOutput = new Set(g.outputs.map((o) => o.value));
  const nodes: IrNode[] = [];
  // Nodes by op and inputs; the full key (attributes, output types) is made only for nodes
  // that share both with an earlier one: most nodes share nothing, and the full key was
  // most of this pass's time.
  const byInputs = new Map<string, { n: IrNode; key?: string }[]>();
  const fullKey = (c: { n: IrNode; key?: string }): string =>
    (c.key ??= `${stableJson(c.n.attrs)}|${c.n.outputs.map(typeOf).join(";")}`);
  for (const n0 of g.nodes) {
    const inputs = rep.size && n0.inputs.some((i) => i !== null && rep.has(i)) ? n0.inputs.map((i) => (i === null ? null : at(i))) : n0.inputs;
    const n: IrNode = inputs === n0.inputs ? n0 : { ...n0, inputs };
    const head = `${n.op}|${n.inputs.join(",")}`;
    const same = byInputs.get(head);
    const mine = { n };
    if (!same) {
      byInputs.set(head, [mine]);
      nodes.push(n);
      continue;
    }
    const prev = same.find((c) => fullKey(c) === fullKey(mine));
    if (prev && n.op !== "dropout" && !n.outputs.some((o) => isOutput.has(o))) {
      n.outputs.forEach((o, k) => rep.set(o, prev.n.outputs[k]!));
      continue;
    }
    if (!prev) same.push(mine);
    nodes.push(n);
  }
  if (rep.size === 0) return g; // nothing merged: the same nodes, in order
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
