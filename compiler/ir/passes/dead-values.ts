// dead-values: removes nodes no output needs, and the inputs, parameters and constants
// that only they read. A node with several outputs stays whole while any one is needed.
// Inputs the task pins (`inputs:`) stay: they are part of the task's interface. So does an
// input that is the only one to carry a symbolic dim the rest of the graph needs (`P` in
// `x[:, P:]` when nothing else reads `prompt: [B, P]`): a runtime reads the dim from it.
import { Dim } from "../../base/dims.js";
import type { IrGraph, IrInput } from "../ir.js";

export function deadValues(g: IrGraph): IrGraph {
  // Liveness by value id in a byte array (ids are the builder's dense numbering): sets of
  // numbers were most of this pass's time.
  let maxId = 0;
  for (const v of g.values) if (v.id > maxId) maxId = v.id;
  const flags = new Uint8Array(maxId + 1);
  const live = { has: (id: number): boolean => flags[id] === 1, add: (id: number): void => void (flags[id] = 1) };
  for (const o of g.outputs) live.add(o.value);
  const kept = new Uint8Array(g.nodes.length);
  let keptCount = 0;
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const n = g.nodes[k]!;
    if (!n.outputs.some(live.has)) continue;
    kept[k] = 1;
    keptCount++;
    for (const o of n.outputs) live.add(o);
    for (const i of n.inputs) if (i !== null) live.add(i);
  }
  for (const i of g.inputs) if (i.pinned) live.add(i.value);
  const keepNode = new Set<number>();
  if (!g.inputs.every((i) => live.has(i.value))) g.nodes.forEach((n, k) => kept[k] && keepNode.add(n.id));
  for (const i of symbolCarriers(g, live, keepNode)) live.add(i.value);
  const liveCount = g.values.reduce((a, v) => a + flags[v.id]!, 0);
  if (keptCount === g.nodes.length && liveCount === g.values.length) return g; // nothing dead
  return {
    ...g,
    values: g.values.filter((v) => live.has(v.id)),
    nodes: g.nodes.filter((_, k) => kept[k] === 1),
    inputs: g.inputs.filter((i) => live.has(i.value)),
    params: g.params.filter((p) => live.has(p.value)),
  };
}

/** Dead inputs to keep: for each symbol that a live value's shape or a kept node's
 *  runtime-sized argument uses and no live input has as a whole dim, the first input that has. */
function symbolCarriers(g: IrGraph, live: { has(id: number): boolean }, keepNode: ReadonlySet<number>): IrInput[] {
  if (g.inputs.every((i) => live.has(i.value))) return []; // nothing to rescue
  const needed = new Set<string>();
  for (const v of g.values) if (live.has(v.id)) for (const d of v.type.shape) for (const s of d.symbols()) needed.add(s);
  for (const n of g.nodes) {
    if (!keepNode.has(n.id)) continue;
    for (const a of Object.values(n.attrs)) if (a instanceof Dim) for (const s of a.symbols()) needed.add(s);
  }
  const vm = new Map(g.values.map((v) => [v.id, v]));
  const whole = (i: IrInput): string[] => vm.get(i.value)!.type.shape.flatMap((d) => d.symbolName() ?? []);
  for (const i of g.inputs) if (live.has(i.value)) for (const s of whole(i)) needed.delete(s);
  const keep: IrInput[] = [];
  for (const i of g.inputs) {
    if (live.has(i.value) || !whole(i).some((s) => needed.has(s))) continue;
    keep.push(i);
    for (const s of whole(i)) needed.delete(s);
  }
  return keep;
}
