// Parameter counts from the elaborated model: by component and kind, trainable vs frozen
// per training stage, EMA teacher copies apart (they are updated, not trained).
import { numel } from "../base/dims.js";
import type { ElaboratedModel, Instance, ParamTensor } from "../elaborate/instance.js";
import { foldedStack } from "../elaborate/stack.js";
import { isTrainable, trainedIn } from "../elaborate/stages.js";
import { topKRoute } from "../elaborate/routing.js";

export interface ComponentCount {
  readonly name: string;
  readonly path: string;
  readonly kind: string;
  readonly block: string;
  readonly params: number;
  readonly trainable: number;
  /** What a token uses when this holds top-k routed experts: the gate and the k largest
   *  experts of each routed block (present only where it differs from params). */
  readonly active?: number;
  readonly children?: readonly ComponentCount[];
}

export interface StageCount {
  readonly name: string;
  readonly trainable: number;
  readonly frozen: number;
  readonly tasks: readonly string[];
  /** The top-level components with any trainable parameter in this stage. */
  readonly trains: readonly string[];
}

export interface ParamReport {
  readonly model: string;
  readonly total: number;
  /** Trained in at least one stage (all non-EMA parameters when there are no stages). */
  readonly trainable: number;
  readonly frozen: number;
  /** Parameters a token uses: total less the experts a top-k route does not pick (the k
   *  largest counted); present only when the model has a top-k routed block. */
  readonly active?: number;
  /** Parameters of EMA teacher copies, not part of total. */
  readonly ema: number;
  readonly components: readonly ComponentCount[];
  readonly stages: readonly StageCount[];
  /** Buffers (not EMA copies'): saved with the weights, never trained, not in total. */
  readonly buffers: { readonly tensors: number; readonly elements: number };
}

export function paramCount(p: ParamTensor): number {
  const n = numel(p.shape).constValue();
  if (n === undefined) throw new Error(`internal: parameter ${p.path} has a symbolic shape`);
  return n;
}

/** What a subtree holds, summed: parameters (EMA copies' included, as a component counts
 *  them), the live ones (no EMA), those trainable in some stage, those each stage trains,
 *  and buffers. */
interface Sums {
  params: number;
  live: number;
  /** Live parameters a token uses (top-k routes count their k largest experts). */
  active: number;
  trainable: number;
  ema: number;
  readonly stages: number[];
  bufTensors: number;
  bufElements: number;
}

const zero = (stages: number): Sums => ({ params: 0, live: 0, active: 0, trainable: 0, ema: 0, stages: new Array<number>(stages).fill(0), bufTensors: 0, bufElements: 0 });

function addInto(a: Sums, b: Sums, times = 1): void {
  a.params += b.params * times;
  a.live += b.live * times;
  a.active += b.active * times;
  a.trainable += b.trainable * times;
  a.ema += b.ema * times;
  b.stages.forEach((x, i) => (a.stages[i] = a.stages[i]! + x * times));
  a.bufTensors += b.bufTensors * times;
  a.bufElements += b.bufElements * times;
}

/**
 * Counts without unrolling: a folded stack (elaborate/stack.ts) of n identical layers counts
 * as n times one layer. Stage patterns decide by path, and a layer's index is one segment of
 * its paths, which only a pattern's literal digit segment can tell apart from another index:
 * layers at those indices are counted one by one, every other layer as the first of them.
 */
export function countParams(model: ElaboratedModel, depth = 1): ParamReport {
  const nStages = model.stages.length;
  const digits = new Set<number>();
  for (const st of model.stages) for (const p of [...st.train, ...st.freeze]) for (const seg of p) if (/^[0-9]+$/.test(seg)) digits.add(Number(seg));
  const memo = new Map<Instance, Sums>();
  const sumsOf = (inst: Instance): Sums => {
    const hit = memo.get(inst);
    if (hit) return hit;
    const s = zero(nStages);
    for (const p of inst.params) {
      const n = paramCount(p);
      if (p.buffer) {
        if (!p.ema) { s.bufTensors++; s.bufElements += n; }
        continue;
      }
      s.params += n;
      if (p.ema) { s.ema += n; continue; }
      s.live += n;
      s.active += n;
      if (isTrainable(model, p)) s.trainable += n;
      model.stages.forEach((st, i) => { if (trainedIn(st, p.path)) s.stages[i]! += n; });
    }
    const f = foldedStack(inst);
    if (f) {
      const special = [...digits].filter((d) => d < f.count);
      let generic = 0;
      while (digits.has(generic)) generic++;
      for (const d of special) addInto(s, sumsOf(inst.children.get(String(d))!));
      if (generic < f.count) addInto(s, sumsOf(inst.children.get(String(generic))!), f.count - special.length);
    } else {
      for (const c of inst.children.values()) addInto(s, sumsOf(c));
    }
    const route = topKRoute(inst);
    if (route?.k !== undefined) {
      // A token passes through the gate and k experts: the k largest bound what it uses.
      const experts = route.experts.map((e) => sumsOf(e).active).sort((a, b) => b - a);
      const unused = experts.slice(route.k).reduce((a, b) => a + b, 0);
      s.active -= unused;
    }
    memo.set(inst, s);
    return s;
  };
  const component = (inst: Instance, d: number): ComponentCount => {
    const s = sumsOf(inst);
    const f = foldedStack(inst);
    let kids: ComponentCount[] = [];
    if (d < depth) {
      // A stack too long to list shows its first layer for all (they are copies of one template).
      kids = f && f.count > MAX_LISTED
        ? [{ ...component(f.layer, d + 1), name: `0..${f.count - 1} (each)` }]
        : [...inst.children.values()].map((c) => component(c, d + 1));
      // The component's own `param`s get a row, so that the rows below it sum to its count.
      const own = inst.params.filter((p) => !p.buffer);
      if (kids.length && own.length) {
        kids.unshift({
          name: OWN, path: inst.path, kind: "own", block: "param",
          params: own.reduce((a, p) => a + paramCount(p), 0),
          trainable: own.reduce((a, p) => a + (!p.ema && isTrainable(model, p) ? paramCount(p) : 0), 0),
        });
      }
    }
    return {
      name: inst.name, path: inst.path, kind: inst.ema ? "ema" : inst.kind, block: inst.declName,
      params: s.params, trainable: s.trainable,
      ...(s.active !== s.live ? { active: s.active } : {}),
      ...(kids.length ? { children: kids } : {}),
    };
  };
  const components: ComponentCount[] = [
    ...[...model.root.children.values()].map((c) => component(c, 1)),
    ...model.root.params.filter((p) => !p.buffer).map((p) => ({
      name: p.name, path: p.path, kind: "param", block: "param", params: paramCount(p), trainable: !p.ema && isTrainable(model, p) ? paramCount(p) : 0,
    })),
  ];
  const all = sumsOf(model.root);
  const stages = model.stages.map((st, i) => {
    const trains = components.filter((c) => {
      if (c.kind === "ema") return false;
      const child = model.root.children.get(c.name);
      return child ? sumsOf(child).stages[i]! > 0 : c.kind === "param" && trainedIn(st, c.path);
    }).map((c) => c.name);
    return { name: st.name, trainable: all.stages[i]!, frozen: all.live - all.stages[i]!, tasks: st.tasks, trains };
  });
  return {
    model: model.name, total: all.live, trainable: all.trainable, frozen: all.live - all.trainable,
    ...(all.active !== all.live ? { active: all.active } : {}), ema: all.ema, components, stages,
    buffers: { tensors: all.bufTensors, elements: all.bufElements },
  };
}

/** The row of a listed component's own parameters (kind "own"). */
export const OWN = "(own)";

/** Layers of a folded stack listed one by one under `--depth`; longer stacks show one. */
const MAX_LISTED = 1000;
