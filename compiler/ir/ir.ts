// The graph IR: values and nodes, one type from the tracer on. The tracer (check/graph.ts)
// builds a graph of these values and nodes; the driver selects one task of it, names every
// value so a backend can use the names as they are, and adds the metadata of every
// parameter (IrGraph). Passes (passes/) are pure functions IrGraph → IrGraph; the verifier
// (verify.ts) checks what a pipeline returns, and with MM_VERIFY_EACH=1 what each pass
// does. This folder depends only on the foundation, the AST's spans and the op table, so
// every stage may read it.
import type { Span } from "../ast/ast.js";
import type { DType, TensorType } from "../base/tensor.js";
import type { OpAttrs } from "../ops/op.js";

/** A tensor value of a graph, by id, with its type and where it was computed (for "this
 *  shape comes from here" notes). A compile-time Value may hold one while tracing. */
export interface TensorRef {
  readonly id: number;
  readonly type: TensorType;
  readonly span: Span;
}

export type IrValueSource =
  | { readonly kind: "input"; readonly name: string }
  | { readonly kind: "param"; readonly path: string }
  | { readonly kind: "constant"; readonly value: number | readonly number[] }
  | { readonly kind: "node"; readonly node: number; readonly index: number };

export interface IrValue extends TensorRef {
  readonly source: IrValueSource;
  /** A readable name: the traced graph's `vision.layers.3.attn/q` for a value bound to a
   *  local, else `scope/op_id`; in an IrGraph, unique: an input's name, a parameter's path,
   *  an output's name. Backends use it as the tensor name. */
  readonly name: string;
}

export interface IrNode {
  readonly id: number;
  readonly op: string;
  /** Value ids in op-parameter order; null for an absent optional tensor. */
  readonly inputs: readonly (number | null)[];
  readonly outputs: readonly number[];
  readonly attrs: OpAttrs;
  /** The instance path whose forward created the node (`vision.layers.3.attn`). */
  readonly scope: string;
  readonly span: Span;
}

export interface IrInput {
  readonly name: string;
  readonly value: number;
  /** Named by the task's `inputs:`: kept even when no output needs it. */
  readonly pinned?: boolean;
}

/** An initializer argument as plain data: a number, a string (`mode: "fan_out"`), a flag,
 *  or null for `none` (the initializer's default). */
export type IrInitArg = number | string | boolean | null;

/** How a parameter or buffer is initialised when no weights are given: the init spec of the
 *  .mm source (`normal(std: 0.02)`), its arguments evaluated. weights.ts gives the meaning. */
export interface IrInit {
  readonly name: string;
  readonly args: Readonly<Record<string, IrInitArg>>;
  readonly positional: readonly IrInitArg[];
}

export interface IrParam {
  readonly path: string;
  readonly value: number;
  readonly shape: TensorType["shape"];
  readonly dtype: DType;
  readonly init?: IrInit;
  /** Parameters of an EMA teacher copy: updated from `source`, never trained. */
  readonly ema?: { readonly source: string; readonly momentum: number };
  /** A buffer (ParamTensor.buffer): an input or initializer like a parameter, never trained. */
  readonly buffer?: true;
  readonly span: Span;
}

export interface IrOutput {
  /** The graph output name: the output's name, or `loss_<name>` for a loss. */
  readonly name: string;
  readonly value: number;
  readonly kind: "output" | "loss";
}

export interface IrGraph {
  /** The model's name. */
  readonly name: string;
  /** The task compiled, if one was picked. */
  readonly task?: string;
  /** Sorted by id; ids are unique but need not be dense (passes delete values). */
  readonly values: readonly IrValue[];
  /** In a topological order (the traced order, which executed the program). */
  readonly nodes: readonly IrNode[];
  readonly inputs: readonly IrInput[];
  readonly params: readonly IrParam[];
  readonly outputs: readonly IrOutput[];
}

/** The symbolic dims a graph's values use, sorted: what a specialised plan must bind. */
export function graphSymbols(values: readonly IrValue[]): string[] {
  const s = new Set<string>();
  for (const v of values) for (const d of v.type.shape) if (d.constValue() === undefined) for (const x of d.symbols()) s.add(x);
  return [...s].sort();
}

/** An internal error: a pass or the verifier found a broken graph (a compiler bug). */
export class IrError extends Error {
  constructor(message: string) {
    super(`internal IR error: ${message}`);
    this.name = "IrError";
  }
}

/** Values by id. */
export function valueMap(g: IrGraph): Map<number, IrValue> {
  return new Map(g.values.map((v) => [v.id, v]));
}

/** The node producing each node-output value. */
export function producers(g: IrGraph): Map<number, IrNode> {
  const m = new Map<number, IrNode>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** How many nodes and outputs read each value. */
export function useCounts(g: IrGraph): Map<number, number> {
  const m = new Map<number, number>();
  const use = (id: number): void => void m.set(id, (m.get(id) ?? 0) + 1);
  for (const n of g.nodes) for (const i of n.inputs) if (i !== null) use(i);
  for (const o of g.outputs) use(o.value);
  return m;
}

/** A readable dump, for tests and debugging: one line per node. */
export function formatIr(g: IrGraph): string {
  const vm = valueMap(g);
  const ty = (id: number): string => {
    const v = vm.get(id);
    return v ? `${v.name}: [${v.type.shape.map((d) => d.toString()).join(", ")}] ${v.type.dtype}` : `?${id}`;
  };
  const lines: string[] = [];
  for (const i of g.inputs) lines.push(`input ${ty(i.value)}`);
  for (const p of g.params) lines.push(`param ${ty(p.value)}`);
  for (const v of g.values) if (v.source.kind === "constant") lines.push(`const ${ty(v.id)} = ${JSON.stringify(v.source.value)}`);
  for (const n of g.nodes) {
    const ins = n.inputs.map((i) => (i === null ? "none" : vm.get(i)?.name ?? `?${i}`)).join(", ");
    lines.push(`${n.outputs.map(ty).join(", ")} = ${n.op}(${ins}) ${JSON.stringify(n.attrs)}`);
  }
  for (const o of g.outputs) lines.push(`${o.kind} ${o.name} = ${vm.get(o.value)?.name ?? `?${o.value}`}`);
  return lines.join("\n");
}
