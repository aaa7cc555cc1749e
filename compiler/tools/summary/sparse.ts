// Active cost of top-k routed experts. The lowering is dense (every expert runs on every
// token, the unchosen weighted by zero), so the traced graph's MACs and FLOPs are the dense
// figures. What a sparse dispatch spends is the routed block less its experts that a token
// does not use: per block, all experts but the k largest (by MACs, then FLOPs) are taken
// out. Per token divides by the tokens routed (the gate's output elements / experts).
import type { Graph } from "../../check/graph.js";
import type { Instance } from "../../elaborate/instance.js";
import { topKRoute } from "../../elaborate/routing.js";
import type { Bind } from "./cost.js";
import type { Acc } from "./summary.js";

export interface RoutedBlock {
  readonly path: string;
  readonly block: string;
  readonly experts: number;
  readonly k: number;
  /** Tokens routed at the bindings. */
  readonly tokens: number;
  readonly dense: { readonly macs: number; readonly flops: number };
  readonly active: { readonly macs: number; readonly flops: number };
  readonly perToken: { readonly macs: number; readonly flops: number };
}

export interface SparseCost {
  readonly blocks: readonly RoutedBlock[];
  /** MACs and FLOPs of the unchosen experts, by routed block path. */
  readonly unchosen: ReadonlyMap<string, { readonly macs: number; readonly flops: number }>;
}

/** The routed blocks of the tree, with dense, active and per-token costs. */
export function sparseCost(root: Instance, graph: Graph, bind: Bind, subtree: (path: string) => Acc,
  lastOut: ReadonlyMap<string, { node: number; value: number }>): SparseCost {
  const blocks: RoutedBlock[] = [];
  const unchosen = new Map<string, { macs: number; flops: number }>();
  const stack: Instance[] = [root];
  while (stack.length) {
    const inst = stack.pop()!;
    const r = topKRoute(inst);
    if (r?.k !== undefined) {
      const costs = r.experts.map((e) => subtree(e.path)).sort((a, b) => b.macs - a.macs || b.flops - a.flops);
      const off = costs.slice(r.k).reduce((a, c) => ({ macs: a.macs + c.macs, flops: a.flops + c.flops }), { macs: 0, flops: 0 });
      const dense = subtree(inst.path);
      const active = { macs: dense.macs - off.macs, flops: dense.flops - off.flops };
      const gateOut = lastOut.get(r.gate.path);
      const elements = gateOut ? graph.values[gateOut.value]!.type.shape.reduce((a, d) => a * bind(d), 1) : 0;
      const tokens = r.experts.length ? elements / r.experts.length : 0;
      unchosen.set(inst.path, off);
      blocks.push({
        path: inst.path, block: inst.declName, experts: r.experts.length, k: r.k, tokens,
        dense: { macs: dense.macs, flops: dense.flops }, active,
        perToken: tokens > 0 ? { macs: active.macs / tokens, flops: active.flops / tokens } : { macs: 0, flops: 0 },
      });
    }
    for (const c of [...inst.children.values()].reverse()) stack.push(c);
  }
  return { blocks, unchosen };
}

/** The unchosen experts' cost inside a component (its own routed blocks and those below). */
export function unchosenUnder(s: SparseCost, path: string): { macs: number; flops: number } {
  let macs = 0, flops = 0;
  for (const [p, c] of s.unchosen) {
    if (path === "" || p === path || p.startsWith(path + ".")) { macs += c.macs; flops += c.flops; }
  }
  return { macs, flops };
}
