// `mm summary`: per component, output shapes at the component boundary, parameters,
// multiply-accumulates, FLOPs and activation memory at bound input sizes; totals; weight
// memory per dtype, the peak of live activations and, with `--train`, a training estimate
// (memory.ts). Symbolic dims are bound from `--input` (every other symbol is 1).
import { Dim } from "../../base/dims.js";
import type { Graph } from "../../check/graph.js";
import { formatShape } from "../../base/tensor.js";
import { allParams, type ElaboratedModel, type Instance } from "../../elaborate/instance.js";
import { isTrainable } from "../../elaborate/stages.js";
import { countParams, paramCount, type StageCount } from "../params.js";
import { DTYPE_SIZE } from "../../base/tensor.js";
import { nodeCost, type Bind } from "./cost.js";
import { sparseCost, unchosenUnder, type RoutedBlock, type SparseCost } from "./sparse.js";
import { heldAs, peakActivationBytes, trainMemory, type SummaryDType, type TrainMemory } from "./memory.js";

export const SUMMARY_SCHEMA_VERSION = 1;

export interface ComponentSummary {
  readonly name: string;
  readonly path: string;
  readonly kind: string;
  readonly block: string;
  /** Output shapes of the component's first call, at the bound sizes. */
  readonly outputs: readonly string[];
  readonly params: { readonly total: number; readonly trainable: number };
  readonly macs: number;
  readonly flops: number;
  /** Bytes of every value the component's nodes produce (floats at the summary's dtype). */
  readonly activationBytes: number;
  /** With top-k routed experts inside: the cost less the experts a token does not use. */
  readonly active?: { readonly macs: number; readonly flops: number };
  readonly children?: readonly ComponentSummary[];
}

export interface Summary {
  readonly schema: number;
  readonly model: string;
  /** The symbol bindings used; symbols not given on the command line are 1. */
  readonly bindings: Readonly<Record<string, number>>;
  /** The dtype floating-point weights and activations are counted at (`--dtype`). */
  readonly dtype: SummaryDType;
  readonly params: { readonly total: number; readonly trainable: number; readonly frozen: number; readonly ema: number };
  readonly flops: { readonly total: number };
  readonly macs: { readonly total: number };
  readonly memory: {
    /** The sum of every intermediate value's bytes. */
    readonly activationBytes: number;
    /** The largest total of activations alive at once, in graph order (memory.ts). */
    readonly peakActivationBytes: number;
    /** Weight bytes by the dtype they are held in (EMA copies included), and their sum. */
    readonly weights: Readonly<Record<string, { readonly params: number; readonly bytes: number }>>;
    readonly weightBytes: number;
    /** With `--train` only. */
    readonly train?: TrainMemory;
  };
  readonly components: readonly ComponentSummary[];
  readonly stages: readonly StageCount[];
  /** Present when the model has top-k routed experts (sparse.ts): what a sparse dispatch
   *  would spend, beside the dense figures above. */
  readonly sparse?: {
    readonly params: { readonly active: number };
    readonly macs: { readonly active: number };
    readonly flops: { readonly active: number };
    readonly blocks: readonly RoutedBlock[];
  };
}

/** Every symbol in the graph's value shapes, sorted. */
export function graphSymbols(graph: Graph): string[] {
  const out = new Set<string>();
  for (const v of graph.values) for (const d of v.type.shape) for (const s of d.symbols()) out.add(s);
  return [...out].sort();
}

export interface Acc { macs: number; flops: number; act: number }

/** Costs per instance scope, at symbol bindings (unbound symbols are 1), with subtree sums. */
export function scopeCosts(graph: Graph, inputs: ReadonlyMap<string, number> = new Map(), dtype: SummaryDType = "float32"): {
  bindings: Record<string, number>; bind: Bind; byScope: Map<string, Acc>; lastOut: Map<string, { node: number; value: number }>;
  total: Acc; subtree: (path: string) => Acc;
} {
  const bindings: Record<string, number> = {};
  for (const s of graphSymbols(graph)) bindings[s] = inputs.get(s) ?? 1;
  for (const [k, v] of inputs) bindings[k] = v;
  const dimMap = new Map(Object.entries(bindings).map(([k, v]) => [k, Dim.const(v)] as const));
  const bind: Bind = (d) => {
    const v = d.isConst() ? d.constValue() : d.substitute(dimMap).constValue();
    if (v === undefined) throw new Error(`internal: dim ${d.toString()} stays symbolic after binding`);
    return v;
  };
  const byScope = new Map<string, Acc>();
  /** The last value each scope's nodes produce: a component's output when no record says. */
  const lastOut = new Map<string, { node: number; value: number }>();
  let total: Acc = { macs: 0, flops: 0, act: 0 };
  for (const node of graph.nodes) {
    const c = nodeCost(graph, node, bind);
    let act = 0;
    for (const o of node.outputs) {
      const v = graph.values[o]!;
      act += v.type.shape.reduce((a, d) => a * bind(d), 1) * DTYPE_SIZE[heldAs(v.type.dtype, dtype)];
    }
    const acc = byScope.get(node.scope) ?? { macs: 0, flops: 0, act: 0 };
    acc.macs += c.macs; acc.flops += c.flops; acc.act += act;
    byScope.set(node.scope, acc);
    if (node.outputs.length) lastOut.set(node.scope, { node: node.id, value: node.outputs[0]! });
    total = { macs: total.macs + c.macs, flops: total.flops + c.flops, act: total.act + act };
  }
  const subtree = (path: string): Acc => {
    const a: Acc = { macs: 0, flops: 0, act: 0 };
    for (const [scope, c] of byScope) {
      if (scope === path || scope.startsWith(path + ".")) { a.macs += c.macs; a.flops += c.flops; a.act += c.act; }
    }
    return a;
  };
  return { bindings, bind, byScope, lastOut, total, subtree };
}

export interface SummaryOptions {
  /** Floating-point weights and activations at this dtype (default float32). */
  readonly dtype?: SummaryDType;
  /** Add the training-memory estimate. */
  readonly train?: boolean;
}

export function summarize(model: ElaboratedModel, graph: Graph, inputs: ReadonlyMap<string, number>, depth = 1, options: SummaryOptions = {}): Summary {
  const dtype = options.dtype ?? "float32";
  const { bindings, bind, byScope, lastOut, total, subtree } = scopeCosts(graph, inputs, dtype);
  const shapeStr = (s: readonly Dim[]): string => formatShape(s.map((d) => Dim.const(bind(d))));

  const outputsOf = new Map<string, string[]>();
  for (const r of graph.shapes) {
    if (r.role !== "output" || r.call !== 0) continue;
    const list = outputsOf.get(r.scope) ?? [];
    list.push(shapeStr(r.type.shape) + (r.type.dtype === "float32" ? "" : ` ${r.type.dtype}`));
    outputsOf.set(r.scope, list);
  }

  const lastValue = (path: string): string[] => {
    let best: { node: number; value: number } | undefined;
    for (const [scope, o] of lastOut) if ((scope === path || scope.startsWith(path + ".")) && (!best || o.node > best.node)) best = o;
    if (!best) return [];
    const t = graph.values[best.value]!.type;
    return [shapeStr(t.shape) + (t.dtype === "float32" ? "" : ` ${t.dtype}`)];
  };

  const pcount = countParams(model, 1);
  const sparse = sparseCost(model.root, graph, bind, subtree, lastOut);
  const component = (inst: Instance, d: number): ComponentSummary => {
    const ps = allParams(inst).filter((p) => !p.ema);
    const a = subtree(inst.path);
    const off = sparse.blocks.length ? unchosenUnder(sparse, inst.path) : undefined;
    const kids = d < depth ? [...inst.children.values()].map((c) => component(c, d + 1)) : [];
    return {
      name: inst.name, path: inst.path, kind: inst.ema ? "ema" : inst.kind, block: inst.declName,
      outputs: [...new Set(outputsOf.get(inst.path) ?? lastValue(inst.path))],
      params: {
        total: ps.reduce((s, p) => s + paramCount(p), 0),
        trainable: ps.filter((p) => isTrainable(model, p)).reduce((s, p) => s + paramCount(p), 0),
      },
      macs: a.macs, flops: a.flops, activationBytes: a.act,
      ...(off && (off.macs || off.flops) ? { active: { macs: a.macs - off.macs, flops: a.flops - off.flops } } : {}),
      ...(kids.length ? { children: kids } : {}),
    };
  };
  const components = [...model.root.children.values()].map((c) => component(c, 1));
  const top = byScope.get(model.root.path);
  if (top && (top.flops > 0 || top.act > 0)) {
    components.push({
      name: "(top level)", path: model.root.path, kind: "model", block: model.name, outputs: outputsOf.get(model.root.path) ?? [],
      params: { total: 0, trainable: 0 }, macs: top.macs, flops: top.flops, activationBytes: top.act,
    });
  }

  const weights: Record<string, { params: number; bytes: number }> = {};
  for (const p of allParams(model.root)) {
    const held = heldAs(p.dtype, dtype);
    const w = (weights[held] ??= { params: 0, bytes: 0 });
    const n = paramCount(p);
    w.params += n;
    w.bytes += n * DTYPE_SIZE[held];
  }
  const weightBytes = Object.values(weights).reduce((s, w) => s + w.bytes, 0);
  const train = options.train ? trainMemory(weightBytes, total.act, pcount.trainable, dtype, pcount.stages) : undefined;
  return {
    schema: SUMMARY_SCHEMA_VERSION, model: model.name, bindings, dtype,
    params: { total: pcount.total, trainable: pcount.trainable, frozen: pcount.frozen, ema: pcount.ema },
    flops: { total: total.flops }, macs: { total: total.macs },
    memory: {
      activationBytes: total.act, peakActivationBytes: peakActivationBytes(graph, bind, dtype), weights, weightBytes,
      ...(train ? { train } : {}),
    },
    components, stages: pcount.stages,
    ...(sparse.blocks.length ? { sparse: sparseSection(sparse, total, pcount.active ?? pcount.total) } : {}),
  };
}

function sparseSection(s: SparseCost, total: Acc, activeParams: number): NonNullable<Summary["sparse"]> {
  const off = unchosenUnder(s, "");
  return {
    params: { active: activeParams }, macs: { active: total.macs - off.macs }, flops: { active: total.flops - off.flops }, blocks: s.blocks,
  };
}
