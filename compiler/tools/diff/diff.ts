// `mm diff`: a semantic diff of two models, aligned by declaration path and kind (see
// align.ts): components added, removed and changed, argument changes where they were
// made, shapes at component boundaries, parameter, FLOP and memory deltas, and tasks,
// losses, stages and frozen sets that differ.
import type { Graph, ShapeRecord } from "../../check/graph.js";
import { formatTensorType } from "../../base/tensor.js";
import { allParams, type ElaboratedModel, type Instance } from "../../elaborate/instance.js";
import { countParams, paramCount } from "../params.js";
import { sparseCost, unchosenUnder } from "../summary/sparse.js";
import { DTYPE_SIZE } from "../../base/tensor.js";
import { scopeCosts, type Acc } from "../summary/summary.js";
import { align, modelNode, type MatchHow, type Pair } from "./align.js";
import { argDiffs, originChanges, type ArgChange } from "./args.js";
import { modelLevel, type ModelLevelDiff } from "./model-level.js";
import { diffForwards, type ForwardDiff } from "./forward.js";

export type Status = "same" | "changed" | "added" | "removed";

export interface ShapeChange {
  readonly role: string;
  readonly name: string;
  /** The name in A, when it differs (paired by role and order). */
  readonly nameA?: string;
  readonly a?: string;
  readonly b?: string;
}

export interface ComponentDiff {
  readonly name: string;
  /** The path in B (in A for a removed component). */
  readonly path: string;
  /** The path in A, when it differs (a rename, matched by declaration). */
  readonly pathA?: string;
  readonly status: Status;
  readonly match?: MatchHow;
  readonly kind: string;
  readonly kindA?: string;
  readonly block: string;
  readonly blockA?: string;
  readonly params: { readonly a: number; readonly b: number; readonly delta: number };
  /** FLOPs and activation bytes of the subtree at batch 1 (every symbolic dim 1), when traced. */
  readonly flops?: Delta;
  readonly activationBytes?: Delta;
  /** Arguments that differ at this instance (all of them, derived ones included). */
  readonly args: readonly ArgChange[];
  readonly shapes: readonly ShapeChange[];
  /** The statements of the two forwards, when the pair runs different ones (forward.ts). */
  readonly forward?: ForwardDiff;
  readonly children: readonly ComponentDiff[];
}

export interface ModelSide {
  readonly name: string;
  readonly variantOf?: string;
  readonly params: number;
  /** The file that declares the model. */
  readonly file: string;
}

export interface Delta { readonly a: number; readonly b: number; readonly delta: number }

const delta = (a: number, b: number): Delta => ({ a, b, delta: b - a });

export interface ModelDiff {
  readonly a: ModelSide;
  readonly b: ModelSide;
  readonly identical: boolean;
  /** How the trees were aligned: by path only, or renamed components paired by declaration too. */
  readonly alignment: "path" | "path+declaration";
  /** The models' own forwards, when they differ. */
  readonly forward?: ForwardDiff;
  /** Argument changes, each reported once where it was made. */
  readonly args: readonly ArgChange[];
  readonly params: { readonly a: number; readonly b: number; readonly delta: number };
  /** Totals at batch 1 (every symbolic dim 1), when both models were traced. */
  readonly flops?: Delta;
  /** Present when either model has top-k routed experts: parameters a token uses, and the
   *  FLOPs less the unchosen experts' (summary/sparse.ts). */
  readonly active?: { readonly params: Delta; readonly flops?: Delta };
  readonly weightBytes?: Delta;
  readonly activationBytes?: Delta;
  readonly components: readonly ComponentDiff[];
  readonly model: ModelLevelDiff;
}

function boundaries(graph: Graph | undefined): Map<string, ShapeRecord[]> {
  const m = new Map<string, ShapeRecord[]>();
  for (const r of graph?.shapes ?? []) {
    if (r.call !== 0 || (r.role !== "input" && r.role !== "output")) continue;
    const l = m.get(r.scope) ?? [];
    l.push(r);
    m.set(r.scope, l);
  }
  return m;
}

function shapeChanges(a: ShapeRecord[] | undefined, b: ShapeRecord[] | undefined): ShapeChange[] {
  const fmt = (l: ShapeRecord[] | undefined): Map<string, string> => new Map((l ?? []).map((r) => [`${r.role}:${r.name}`, formatTensorType(r.type)]));
  const fa = fmt(a);
  const fb = fmt(b);
  const split = (key: string): [string, string] => [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
  const out: ShapeChange[] = [];
  for (const [key, x] of fa) {
    const y = fb.get(key);
    const [role, name] = split(key);
    if (y !== undefined && x !== y) out.push({ role, name, a: x, b: y });
  }
  // Inputs and outputs named differently pair up by role, in order.
  const onlyA = [...fa.keys()].filter((k) => !fb.has(k));
  const onlyB = [...fb.keys()].filter((k) => !fa.has(k));
  for (const role of ["input", "output"]) {
    const xs = onlyA.filter((k) => split(k)[0] === role);
    const ys = onlyB.filter((k) => split(k)[0] === role);
    for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
      const x = xs[i];
      const y = ys[i];
      const name = split((y ?? x)!)[1];
      const nameA = x && y && split(x)[1] !== name ? { nameA: split(x)[1] } : {};
      const ta = x ? fa.get(x) : undefined;
      const tb = y ? fb.get(y) : undefined;
      if (ta === tb && !("nameA" in nameA)) continue;
      out.push({ role, name, ...nameA, ...(ta !== undefined ? { a: ta } : {}), ...(tb !== undefined ? { b: tb } : {}) });
    }
  }
  return out;
}

/** `sources`: the program text, for the statement-level diff of forwards (none without it). */
export function diffModels(ma: ElaboratedModel, ga: Graph | undefined, mb: ElaboratedModel, gb: Graph | undefined,
  sources: ReadonlyMap<string, string> = new Map()): ModelDiff {
  const root = align(modelNode(ma), modelNode(mb), "path");
  const shapesA = boundaries(ga);
  const shapesB = boundaries(gb);
  const costA = ga ? scopeCosts(ga) : undefined;
  const costB = gb ? scopeCosts(gb) : undefined;
  const origins: ArgChange[] = [];
  let structural = false;
  const visit = (p: Pair, parents: { a?: Instance; b?: Instance; grandA?: Instance; grandB?: Instance }, top: boolean): ComponentDiff => {
    const x = (p.b ?? p.a)!;
    const pa = p.a?.params ?? 0;
    const pb = p.b?.params ?? 0;
    const ia = p.a?.inst;
    const ib = p.b?.inst;
    const sameDecl = p.a && p.b && p.a.kind === p.b.kind && p.a.block === p.b.block;
    let args: ArgChange[] = [];
    if (ia && ib && (sameDecl || top)) {
      args = argDiffs(ia, ib).map((d) => ({ path: ib.path, ...d }));
      origins.push(...(top ? args : originChanges(ia, ib, parents)));
    }
    if (p.how === "declaration") structural = true;
    const shapes = ia && ib && !top ? shapeChanges(shapesA.get(ia.path), shapesB.get(ib.path)) : [];
    const next = { a: ia, b: ib, grandA: parents.a, grandB: parents.b };
    const children = p.children.map((c) => visit(c, next, false));
    const math = ia && ib && !top ? diffForwards(ia, ib, sources) : undefined;
    const status: Status = !p.a ? "added" : !p.b ? "removed"
      : (!top && (!sameDecl || p.a.name !== p.b.name)) || pa !== pb || args.length || shapes.length || math || children.some((c) => c.status !== "same") ? "changed" : "same";
    return {
      name: x.name, path: x.path,
      ...(p.a && p.b && p.a.path !== p.b.path ? { pathA: p.a.path } : {}),
      status, ...(p.how && p.how !== "path" ? { match: p.how } : {}),
      kind: x.kind, ...(p.a && p.b && p.a.kind !== p.b.kind ? { kindA: p.a.kind } : {}),
      block: x.block, ...(p.a && p.b && p.a.block !== p.b.block ? { blockA: p.a.block } : {}),
      params: { a: pa, b: pb, delta: pb - pa },
      ...(costA && costB && !top ? costDeltas(ia ? costA.subtree(ia.path) : undefined, ib ? costB.subtree(ib.path) : undefined) : {}),
      args, shapes, ...(math ? { forward: math } : {}),
      // Unchanged subtrees are summarised by their root; added and removed ones likewise.
      children: status === "changed" ? children.filter((c) => c.status !== "same") : [],
    };
  };
  const top = visit(root, {}, true);
  const model = modelLevel(ma, ga, mb, gb);
  const params = { a: top.params.a, b: top.params.b, delta: top.params.delta };
  const forward = diffForwards(ma.root, mb.root, sources);
  const identical = top.status === "same" && top.args.length === 0 && model.identical && !forward;
  return {
    a: { name: ma.name, ...(ma.variantOf ? { variantOf: ma.variantOf } : {}), params: params.a, file: ma.span.file },
    b: { name: mb.name, ...(mb.variantOf ? { variantOf: mb.variantOf } : {}), params: params.b, file: mb.span.file },
    identical, alignment: structural ? "path+declaration" : "path", ...(forward ? { forward } : {}),
    args: origins, params,
    ...activeDelta(ma, ga, costA, mb, gb, costB),
    ...(costA && costB ? {
      flops: delta(costA.total.flops, costB.total.flops),
      activationBytes: delta(costA.total.act, costB.total.act),
      weightBytes: delta(weightBytes(ma), weightBytes(mb)),
    } : {}),
    components: top.children, model,
  };
}

type Costs = ReturnType<typeof scopeCosts>;

/** Active parameters and FLOPs on both sides, when either routes top-k experts. */
function activeDelta(ma: ElaboratedModel, ga: Graph | undefined, costA: Costs | undefined,
  mb: ElaboratedModel, gb: Graph | undefined, costB: Costs | undefined): { active?: NonNullable<ModelDiff["active"]> } {
  const pa = countParams(ma), pb = countParams(mb);
  if (pa.active === undefined && pb.active === undefined) return {};
  const flops = (m: ElaboratedModel, g: Graph | undefined, c: Costs | undefined): number | undefined =>
    g && c ? c.total.flops - unchosenUnder(sparseCost(m.root, g, c.bind, c.subtree, c.lastOut), "").flops : undefined;
  const fa = flops(ma, ga, costA), fb = flops(mb, gb, costB);
  return {
    active: {
      params: delta(pa.active ?? pa.total, pb.active ?? pb.total),
      ...(fa !== undefined && fb !== undefined ? { flops: delta(fa, fb) } : {}),
    },
  };
}

function costDeltas(a: Acc | undefined, b: Acc | undefined): { flops: Delta; activationBytes: Delta } {
  return { flops: delta(a?.flops ?? 0, b?.flops ?? 0), activationBytes: delta(a?.act ?? 0, b?.act ?? 0) };
}

/** Bytes of the (non-EMA) weights, by their dtypes. */
function weightBytes(m: ElaboratedModel): number {
  return allParams(m.root).filter((p) => !p.ema).reduce((s, p) => s + paramCount(p) * DTYPE_SIZE[p.dtype], 0);
}
