// Parameter counts from the elaborated model: by component and kind, trainable vs frozen
// per training stage, EMA teacher copies apart (they are updated, not trained).
import { numel } from "../base/dims.js";
import { allBuffers, allParams, type ElaboratedModel, type Instance, type ParamTensor } from "../elaborate/instance.js";
import { isTrainable, trainedIn } from "../elaborate/stages.js";

export interface ComponentCount {
  readonly name: string;
  readonly path: string;
  readonly kind: string;
  readonly block: string;
  readonly params: number;
  readonly trainable: number;
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

export function countParams(model: ElaboratedModel, depth = 1): ParamReport {
  const params = allParams(model.root);
  const live = params.filter((p) => !p.ema);
  const sum = (ps: readonly ParamTensor[]): number => ps.reduce((a, p) => a + paramCount(p), 0);
  const trainableSet = new Set(live.filter((p) => isTrainable(model, p)).map((p) => p.path));
  const component = (inst: Instance, d: number): ComponentCount => {
    const ps = allParams(inst);
    const kids = d < depth ? [...inst.children.values()].map((c) => component(c, d + 1)) : [];
    return {
      name: inst.name, path: inst.path, kind: inst.ema ? "ema" : inst.kind, block: inst.declName,
      params: sum(ps), trainable: sum(ps.filter((p) => trainableSet.has(p.path))),
      ...(kids.length ? { children: kids } : {}),
    };
  };
  const components: ComponentCount[] = [
    ...[...model.root.children.values()].map((c) => component(c, 1)),
    ...model.root.params.filter((p) => !p.buffer).map((p) => ({
      name: p.name, path: p.path, kind: "param", block: "param", params: paramCount(p), trainable: trainableSet.has(p.path) ? paramCount(p) : 0,
    })),
  ];
  const stages = model.stages.map((s) => {
    const t = live.filter((p) => trainedIn(s, p.path));
    const trains = components.filter((c) => c.kind !== "ema" && t.some((p) => p.path === c.path || p.path.startsWith(c.path + "."))).map((c) => c.name);
    return { name: s.name, trainable: sum(t), frozen: sum(live) - sum(t), tasks: s.tasks, trains };
  });
  const total = sum(live);
  const trainable = sum(live.filter((p) => trainableSet.has(p.path)));
  const buffers = allBuffers(model.root).filter((b) => !b.ema);
  return {
    model: model.name, total, trainable, frozen: total - trainable, ema: sum(params.filter((p) => p.ema)), components, stages,
    buffers: { tensors: buffers.length, elements: sum(buffers) },
  };
}
