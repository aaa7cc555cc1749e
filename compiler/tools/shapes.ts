// `mm shapes`: every named tensor with its inferred shape, as a tree of instances.
// Identical layers of a repeat stack are folded into one entry.
import type { Graph, ShapeRecord } from "../check/graph.js";
import { formatShape, formatTensorType } from "../base/tensor.js";
import type { ElaboratedModel, Instance } from "../elaborate/instance.js";

export interface ShapeNode {
  readonly name: string;
  readonly block: string;
  readonly kind: string;
  readonly params: readonly { readonly name: string; readonly shape: string }[];
  readonly calls: readonly (readonly { readonly role: string; readonly name: string; readonly type: string }[])[];
  readonly children: readonly ShapeNode[];
  /** For folded stack entries: how many identical layers this node stands for. */
  readonly repeat?: { readonly first: number; readonly last: number };
}

export function shapeTree(model: ElaboratedModel, graph: Graph | undefined): ShapeNode {
  const byScope = new Map<string, ShapeRecord[]>();
  for (const r of graph?.shapes ?? []) {
    const list = byScope.get(r.scope) ?? [];
    list.push(r);
    byScope.set(r.scope, list);
  }
  const build = (inst: Instance): ShapeNode => {
    const recs = byScope.get(inst.path) ?? [];
    const calls: { role: string; name: string; type: string }[][] = [];
    const seen: Set<string>[] = [];
    for (const r of recs) {
      const entry = { role: r.role, name: r.name, type: formatTensorType(r.type) };
      const key = `${entry.role}:${entry.name}:${entry.type}`;
      calls[r.call] ??= [];
      seen[r.call] ??= new Set();
      if (seen[r.call]!.has(key)) continue;
      seen[r.call]!.add(key);
      calls[r.call]!.push(entry);
    }
    const children = foldStack(inst, [...inst.children.values()].map(build));
    return {
      name: inst.name || model.name, block: inst.declName, kind: inst.ema ? `ema of ${inst.ema.source}` : inst.kind,
      params: inst.params.map((p) => ({ name: p.name, shape: formatShape(p.shape) + (p.dtype === "float32" ? "" : ` ${p.dtype}`) })),
      calls: calls.filter((c) => c !== undefined), children,
    };
  };
  return build(model.root);
}

function foldStack(inst: Instance, nodes: ShapeNode[]): ShapeNode[] {
  if (inst.kind !== "stack" || nodes.length < 2) return nodes;
  const out: ShapeNode[] = [];
  let i = 0;
  while (i < nodes.length) {
    let j = i;
    const sig = signature(nodes[i]!);
    while (j + 1 < nodes.length && signature(nodes[j + 1]!) === sig) j++;
    out.push(j > i ? { ...nodes[i]!, repeat: { first: i, last: j } } : nodes[i]!);
    i = j + 1;
  }
  return out;
}

function signature(n: ShapeNode): string {
  return JSON.stringify({ ...n, name: "" });
}

export function renderShapeTree(root: ShapeNode): string {
  const lines: string[] = [];
  const walk = (n: ShapeNode, indent: string, isRoot: boolean): void => {
    const label = n.repeat ? `${n.repeat.first}..${n.repeat.last} (×${n.repeat.last - n.repeat.first + 1})` : n.name;
    const what = n.kind === "stack" ? `repeat ${n.children.reduce((a, c) => a + (c.repeat ? c.repeat.last - c.repeat.first + 1 : 1), 0)} × ${n.block}` : `${n.block}${n.kind === "block" ? "" : ` (${n.kind})`}`;
    lines.push(isRoot ? `${n.kind} ${n.name}` : `${indent}${label}: ${what}`);
    const inner = isRoot ? "  " : indent + "  ";
    for (const p of n.params) lines.push(`${inner}param ${p.name}: ${p.shape}`);
    n.calls.forEach((c, i) => {
      const pad = n.calls.length > 1 ? inner + "  " : inner;
      if (n.calls.length > 1) lines.push(`${inner}call ${i + 1}:`);
      for (const e of c) lines.push(`${pad}${e.role === "local" ? "" : e.role + " "}${e.name}: ${e.type}`);
    });
    for (const c of n.children) walk(c, inner, false);
  };
  walk(root, "", true);
  return lines.join("\n") + "\n";
}
