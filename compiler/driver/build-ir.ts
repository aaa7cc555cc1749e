// Builds the IR graph of a checked model for a selection of its outputs and losses: a
// task (`model.tasks`), or every output and loss. The graph is the traced one, whole;
// `dead-values` (passes/) then drops what the selection does not need.
import type { CheckedModel } from "../check/check-model.js";
import { allBuffers, allTensors, type InitSpec, type ParamTensor } from "../elaborate/instance.js";
import type { Value } from "../elaborate/values.js";
import { IrError, type IrGraph, type IrInit, type IrInitArg, type IrInput, type IrNode, type IrOutput, type IrParam, type IrValue } from "../ir/ir.js";

export interface Selection {
  /** A task of the model: its outputs, losses, and (pinned) inputs. */
  readonly task?: string;
  /** Without a task: these outputs and losses (default: all of both). */
  readonly outputs?: readonly string[];
  readonly losses?: readonly string[];
}

/** The selection names something the model does not have: a user error, not a bug. */
export class SelectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SelectionError";
  }
}

export function irFromChecked(checked: CheckedModel, sel: Selection = {}): IrGraph {
  const model = checked.model;
  const g = checked.graph;
  if (!g) throw new SelectionError(`model '${model.name}' has no traced forward (it has errors, or no forward)`);
  let wantOutputs = sel.outputs ?? g.outputs.map((o) => o.name);
  let wantLosses = sel.losses ?? g.losses.map((l) => l.name);
  let pinned: readonly string[] = [];
  if (sel.task !== undefined) {
    const t = model.tasks.find((x) => x.name === sel.task);
    if (!t) throw new SelectionError(`model '${model.name}' has no task '${sel.task}'${model.tasks.length ? ` (tasks: ${model.tasks.map((x) => x.name).join(", ")})` : ""}`);
    [wantOutputs, wantLosses, pinned] = [t.outputs, t.losses, t.inputs];
  }
  const pick = (kind: "output" | "loss", names: readonly string[], pool: readonly { name: string; value: number }[]): { name: string; value: number }[] =>
    names.map((n) => pool.find((o) => o.name === n) ?? fail(`model '${model.name}' has no ${kind} '${n}'${pool.length ? ` (${kind}s: ${pool.map((o) => o.name).join(", ")})` : ""}`));
  const selected: { name: string; value: number; kind: "output" | "loss" }[] = [
    ...pick("output", wantOutputs, g.outputs).map((o) => ({ ...o, kind: "output" as const })),
    ...pick("loss", wantLosses, g.losses).map((o) => ({ name: `loss_${o.name}`, value: o.value, kind: "loss" as const })),
    ...bufferUpdates(checked).map((u) => ({ ...u, kind: "output" as const })),
  ];
  if (selected.length === 0) throw new SelectionError(`nothing to compile: the selection of model '${model.name}' has no outputs or losses`);

  const names = new NameTable();
  const fixed = new Map<number, string>();
  for (const i of g.inputs) fixed.set(i.value, names.claim(i.name));
  const outNames = selected.map((o) => names.claim(o.name));
  for (const p of g.params) fixed.set(p.value, names.claim(p.path));

  // An output takes over the name of the node value it reads; one that reads an input, a
  // parameter, a constant or a value another output already named gets an identity node.
  // The traced values and nodes are immutable: shared, not copied (values get names below).
  const values: IrValue[] = g.values.slice();
  const nodes: IrNode[] = g.nodes.slice();
  const renamed = new Map<number, string>();
  const outputs: IrOutput[] = [];
  selected.forEach((o, k) => {
    const v = g.values[o.value];
    if (!v) throw new IrError(`output ${o.name} reads a missing value ${o.value}`);
    if (v.source.kind === "node" && !renamed.has(v.id)) {
      renamed.set(v.id, outNames[k]!);
      outputs.push({ name: outNames[k]!, value: v.id, kind: o.kind });
      return;
    }
    const id = values.length;
    const nodeId = nodes.length;
    values.push({ id, type: v.type, span: v.span, source: { kind: "node", node: nodeId, index: 0 }, name: outNames[k]! });
    nodes.push({ id: nodeId, op: "identity", inputs: [v.id], outputs: [id], attrs: {}, scope: "", span: v.span });
    renamed.set(id, outNames[k]!);
    outputs.push({ name: outNames[k]!, value: id, kind: o.kind });
  });
  // Inputs keep their names and parameters their paths (claimed first); other values keep
  // the tracer's name, made unique.
  const named = values.map((v): IrValue => ({ ...v, name: renamed.get(v.id) ?? fixed.get(v.id) ?? names.claim(v.name) }));

  const byPath = new Map<string, ParamTensor>(allTensors(model.root).map((p) => [p.path, p]));
  const params: IrParam[] = g.params.map((p) => {
    const t = byPath.get(p.path);
    if (!t) throw new IrError(`traced parameter ${p.path} is not in the elaborated model`);
    return irParamOf(t, p.value);
  });
  const pinnedSet = new Set(pinned);
  const inputs: IrInput[] = g.inputs.map((i) => ({ name: i.name, value: i.value, ...(pinnedSet.has(i.name) ? { pinned: true } : {}) }));
  return {
    name: model.name, ...(sel.task !== undefined ? { task: sel.task } : {}),
    values: named, nodes, inputs, params, outputs,
  };
}

function fail(message: string): never {
  throw new SelectionError(message);
}

/** Unique value names: `h`, then `h_2`, `h_3`, ... A name once used stays used, so the next
 *  suffix to try for a base is where the last claim of it stopped (a loop that reassigns `h`
 *  10,000 times would otherwise rescan every suffix at each claim: quadratic). */
class NameTable {
  private readonly used = new Set<string>();
  private readonly next = new Map<string, number>();
  claim(want: string): string {
    let name = want;
    let k = this.next.get(want) ?? 2;
    if (this.used.has(name)) {
      for (name = `${want}_${k}`; this.used.has(name); name = `${want}_${k}`) k++;
      this.next.set(want, k + 1);
    }
    this.used.add(name);
    return name;
  }
}

/** Training mode's new buffer values (`update_buffer`), as outputs `<buffer path>.updated`,
 *  like the EMA update graph's. Every task of a training step carries them. */
function bufferUpdates(checked: CheckedModel): { name: string; value: number }[] {
  const g = checked.graph!;
  if (!g.nodes.some((n) => n.op === "update_buffer")) return []; // eval mode: the usual case
  const buffers = new Set(allBuffers(checked.model.root).map((p) => p.path));
  const pathOf = new Map(g.params.map((p) => [p.value, p.path]));
  const out: { name: string; value: number }[] = [];
  for (const n of g.nodes) {
    if (n.op !== "update_buffer") continue;
    const path = pathOf.get(n.inputs[0]!);
    if (path === undefined || !buffers.has(path)) throw new SelectionError(`update_buffer's first argument must be a buffer of the model (a \`buffer\` declaration), at ${n.scope || "the model"}`);
    if (out.some((o) => o.name === `${path}.updated`)) throw new SelectionError(`buffer ${path} is updated twice in one forward`);
    out.push({ name: `${path}.updated`, value: n.outputs[0]! });
  }
  return out;
}

/** The IR's view of an elaborated parameter or buffer, as graph value `value`. */
export function irParamOf(t: ParamTensor, value: number): IrParam {
  return {
    path: t.path, value, shape: t.shape, dtype: t.dtype, span: t.span,
    ...(t.init ? { init: plainInit(t.init, t.path) } : {}), ...(t.ema ? { ema: t.ema } : {}), ...(t.buffer ? { buffer: true as const } : {}),
  };
}

/** An elaborated init spec as plain data: the IR holds no elaboration values. */
function plainInit(spec: InitSpec, path: string): IrInit {
  const arg = (v: Value): IrInitArg => {
    if (v.k === "none") return null;
    if (v.k === "float" || v.k === "bool" || v.k === "string") return v.v;
    if (v.k === "int" && v.v.isConst()) return v.v.constValue()!;
    throw new IrError(`parameter ${path}: an init argument of ${spec.name} is not a number, string or flag`);
  };
  return { name: spec.name, args: Object.fromEntries([...spec.args].map(([k, v]) => [k, arg(v)])), positional: spec.positional.map(arg) };
}
