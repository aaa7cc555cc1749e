// The model-level part of `mm diff`: inputs, buffers (state that is saved but never trained:
// running statistics, feature queues), tasks, losses, stages and, per stage, the frozen
// top-level components and parameter counts.
import type { Graph } from "../../check/graph.js";
import { formatShape } from "../../base/tensor.js";
import { allBuffers, type ElaboratedModel } from "../../elaborate/instance.js";
import { countParams } from "../params.js";

/** One named entry that was added, removed or changed; `a`/`b` describe each side. */
export interface EntryChange {
  readonly name: string;
  /** The name in A, for an entry renamed (paired in order). */
  readonly nameA?: string;
  readonly status: "added" | "removed" | "changed";
  readonly a?: string;
  readonly b?: string;
}

export interface ModelLevelDiff {
  readonly identical: boolean;
  readonly inputs: readonly EntryChange[];
  /** By path: a buffer added, removed or with another shape or dtype. */
  readonly buffers: readonly EntryChange[];
  readonly tasks: readonly EntryChange[];
  readonly losses: readonly EntryChange[];
  readonly stages: readonly EntryChange[];
  /** Per stage present in both: what is frozen (top-level components, and the count). */
  readonly frozen: readonly EntryChange[];
}

/** Entries pair up by name; with `renamed`, the rest pair up in order (a renamed stage). */
function compare(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>, renamed = false): EntryChange[] {
  const out: EntryChange[] = [];
  for (const [name, x] of a) {
    const y = b.get(name);
    if (y === undefined) continue;
    if (x !== y) out.push({ name, status: "changed", a: x, b: y });
  }
  const onlyA = [...a].filter(([k]) => !b.has(k));
  const onlyB = [...b].filter(([k]) => !a.has(k));
  const pairs = renamed ? Math.min(onlyA.length, onlyB.length) : 0;
  for (let i = 0; i < pairs; i++) {
    const [na, x] = onlyA[i]!;
    const [nb, y] = onlyB[i]!;
    out.push({ name: nb, nameA: na, status: "changed", a: x, b: y });
  }
  for (const [name, x] of onlyA.slice(pairs)) out.push({ name, status: "removed", a: x });
  for (const [name, y] of onlyB.slice(pairs)) out.push({ name, status: "added", b: y });
  return out;
}

const list = (xs: readonly string[]): string => (xs.length ? xs.join(", ") : "-");

function describe(m: ElaboratedModel, g: Graph | undefined) {
  const inputs = new Map(m.inputs.map((i) => [i.name, `${formatShape(i.dims)} ${i.dtype}`]));
  const buffers = new Map(allBuffers(m.root).filter((b) => !b.ema).map((b) => [b.path, `${formatShape(b.shape)} ${b.dtype}`]));
  const tasks = new Map(m.tasks.map((t) => [t.name, `outputs: ${list(t.outputs)}; losses: ${list(t.losses)}${t.inputs.length ? `; inputs: ${list(t.inputs)}` : ""}`]));
  const lossNames = g ? g.losses.map((l) => l.name) : m.tasks.flatMap((t) => t.losses);
  const losses = new Map(lossNames.map((l) => [l, "loss"]));
  const pat = (ps: readonly string[][]): string => list(ps.map((p) => p.join(".")));
  const stages = new Map(m.stages.map((s) => [s.name, `tasks: ${list(s.tasks)}; train: ${pat(s.train)}; freeze: ${pat(s.freeze)}`]));
  const rep = countParams(m, 1);
  const withParams = rep.components.filter((c) => c.params > 0 && c.kind !== "ema");
  const frozen = new Map(rep.stages.map((s) => {
    const f = withParams.filter((c) => !s.trains.includes(c.name)).map((c) => c.name);
    return [s.name, `${list(f)} (${s.frozen.toLocaleString("en-US")} frozen)`];
  }));
  return { inputs, buffers, tasks, losses, stages, frozen };
}

export function modelLevel(ma: ElaboratedModel, ga: Graph | undefined, mb: ElaboratedModel, gb: Graph | undefined): ModelLevelDiff {
  const a = describe(ma, ga);
  const b = describe(mb, gb);
  const stages = compare(a.stages, b.stages, true);
  // Frozen sets compare per stage, stages paired as above.
  const pairs: [string, string][] = [...a.stages.keys()].filter((k) => b.stages.has(k)).map((k) => [k, k]);
  for (const e of stages) if (e.nameA) pairs.push([e.nameA, e.name]);
  const fa = new Map(pairs.map(([x, y]) => [y, a.frozen.get(x)!]));
  const fb = new Map(pairs.map(([, y]) => [y, b.frozen.get(y)!]));
  const r = {
    inputs: compare(a.inputs, b.inputs), buffers: compare(a.buffers, b.buffers), tasks: compare(a.tasks, b.tasks), losses: compare(a.losses, b.losses),
    stages, frozen: compare(fa, fb),
  };
  const identical = Object.values(r).every((l) => l.length === 0);
  return { identical, ...r };
}
