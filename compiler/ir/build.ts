// Building IR nodes inside a pass, as the tracer builds them: each node's output types and
// normalised attributes come from the op's shape rule in the op table (ops/), so a rewrite
// cannot make a node the checker would type differently. Arguments are by parameter name:
// a tensor is `{ t: valueId }`, an Int a number or a Dim, a list of Ints an array.
import type { Span } from "../ast/ast.js";
import { Dim } from "../base/dims.js";
import type { DType, TensorType } from "../base/tensor.js";
import { OPS, type OpArgs, type OpAttrs, type OpDef } from "../ops/index.js";
import { IrError, type IrGraph, type IrNode, type IrValue } from "./ir.js";

export type BuildArg = { readonly t: number } | number | Dim | readonly (number | Dim)[] | boolean | string;

export class IrBuilder {
  readonly values: IrValue[];
  readonly nodes: IrNode[] = [];
  private readonly byId: Map<number, IrValue>;
  private nextValue: number;
  private nextNode: number;

  constructor(g: IrGraph) {
    this.values = [...g.values];
    this.byId = new Map(g.values.map((v) => [v.id, v]));
    // Ids are sorted for values but need not be for nodes; a loop, not Math.max(...ids): a
    // 7B model's graph has more ids than a call may take arguments.
    this.nextValue = (g.values[g.values.length - 1]?.id ?? -1) + 1;
    this.nextNode = g.nodes.reduce((m, n) => Math.max(m, n.id), -1) + 1;
  }

  type(id: number): TensorType {
    const v = this.byId.get(id);
    if (!v) throw new IrError(`no value ${id}`);
    return v.type;
  }

  /** A scalar constant. */
  constant(value: number, dtype: DType, name: string, span: Span): number {
    return this.add({ id: this.nextValue, type: { shape: [], dtype }, span, source: { kind: "constant", value }, name: `${name}_${this.nextValue}` });
  }

  /** One node of `op`; returns its output value ids. `name` prefixes the outputs' names. */
  op(op: string, args: Readonly<Record<string, BuildArg>>, at: { readonly scope: string; readonly span: Span; readonly name: string }): number[] {
    const def = OPS.get(op);
    if (!def) throw new IrError(`no op ${op}`);
    const inputs: (number | null)[] = [];
    const attrs: Record<string, OpAttrs[string]> = {};
    for (const p of def.params) {
      const a = args[p.name];
      if (p.kind === "tensor" || p.kind === "tensor?") inputs.push(a !== undefined && typeof a === "object" && "t" in a ? a.t : null);
      else if (p.kind === "tensors") throw new IrError(`IrBuilder: ${op}'s list of tensors is not supported`);
      else attrs[p.name] = a === undefined ? (p.default ?? null) : plain(a);
    }
    const res = def.infer(new Args(def, args, this, at.span));
    const id = this.nextNode++;
    const outputs = res.outputs.map((type, k) => this.add({
      id: this.nextValue, type, span: at.span, source: { kind: "node", node: id, index: k }, name: `${at.name}/${op}_${this.nextValue}`,
    }));
    this.nodes.push({ id, op, inputs, outputs, attrs: { ...attrs, ...res.attrs }, scope: at.scope, span: at.span });
    return outputs;
  }

  private add(v: IrValue): number {
    this.nextValue = v.id + 1;
    this.values.push(v);
    this.byId.set(v.id, v);
    return v.id;
  }
}

function plain(a: BuildArg): OpAttrs[string] {
  if (a instanceof Dim) return a.constValue() ?? a;
  if (Array.isArray(a)) return a.map((x: number | Dim) => (typeof x === "number" ? x : x.constValue() ?? NaN));
  return a as OpAttrs[string];
}

const dim = (x: number | Dim): Dim => (typeof x === "number" ? Dim.const(x) : x);

/** The arguments as the op's shape rule reads them. */
class Args implements OpArgs {
  constructor(private readonly def: OpDef, private readonly args: Readonly<Record<string, BuildArg>>, private readonly b: IrBuilder, readonly callSpan: Span) {}
  private get(n: string): BuildArg | undefined {
    const a = this.args[n];
    if (a !== undefined) return a;
    const d = this.def.params.find((p) => p.name === n)?.default;
    return d as BuildArg | undefined;
  }
  private need(n: string): BuildArg {
    const a = this.get(n);
    if (a === undefined) throw new IrError(`IrBuilder: ${this.def.name} needs '${n}'`);
    return a;
  }
  tensor(n: string): TensorType { return this.b.type((this.need(n) as { t: number }).t); }
  optTensor(n: string): TensorType | undefined { const a = this.get(n); return a !== undefined && typeof a === "object" && "t" in a ? this.b.type(a.t) : undefined; }
  tensors(): readonly TensorType[] { throw new IrError("IrBuilder: lists of tensors are not supported"); }
  int(n: string): Dim { return dim(this.need(n) as number | Dim); }
  num(n: string): number {
    const c = this.int(n).constValue();
    if (c === undefined) throw new IrError(`IrBuilder: ${this.def.name}'s '${n}' is symbolic`);
    return c;
  }
  optInt(n: string): Dim | undefined { const a = this.get(n); return a === undefined ? undefined : dim(a as number | Dim); }
  ints(n: string): readonly Dim[] { return (this.need(n) as readonly (number | Dim)[]).map(dim); }
  optInts(n: string): readonly Dim[] | undefined { const a = this.get(n); return a === undefined ? undefined : (a as readonly (number | Dim)[]).map(dim); }
  float(n: string): number { return this.need(n) as number; }
  optFloat(n: string): number | undefined { return this.get(n) as number | undefined; }
  bool(n: string): boolean { return this.need(n) as boolean; }
  string(n: string): string { return this.need(n) as string; }
  dtype(n: string): DType { return this.need(n) as DType; }
  span(): Span { return this.callSpan; }
}
