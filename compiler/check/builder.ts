// Builds the traced graph: values and nodes in creation order, which is a valid
// topological order because tracing executes the program.
import type { Span } from "../ast/ast.js";
import type { OpAttrs } from "../ops/op.js";
import type { IrNode, IrValue, IrValueSource, TensorRef } from "../ir/ir.js";
import type { Graph, ShapeRecord } from "./graph.js";
import type { DType, TensorType } from "../base/tensor.js";

export class GraphBuilder {
  /** `keeps`: record the graph. A check-only trace (nothing reads its graph) passes false and
   *  gets bare tensor references: tracing the stdlib then keeps far fewer objects alive.
   *  Callers read it to skip building what the builder would drop. */
  constructor(readonly keeps = true) {}

  private count = 0;
  readonly values: IrValue[] = [];
  readonly nodes: IrNode[] = [];
  readonly inputs: { name: string; value: number }[] = [];
  readonly params: { path: string; value: number }[] = [];
  readonly outputs: { name: string; value: number }[] = [];
  readonly losses: { name: string; value: number }[] = [];
  readonly shapes: ShapeRecord[] = [];
  private readonly paramByPath = new Map<string, TensorRef>();

  /** A reference that is recorded nowhere (check-only tracing). */
  private bare(type: TensorType, span: Span): TensorRef {
    return { id: this.count++, type, span };
  }

  private addValue(type: TensorType, span: Span, source: IrValueSource, name: string): TensorRef {
    if (!this.keeps) return this.bare(type, span);
    const v: IrValue = { id: this.count++, type, span, source, name };
    this.values.push(v);
    return v;
  }

  addInput(name: string, type: TensorType, span: Span): TensorRef {
    const v = this.addValue(type, span, { kind: "input", name }, name);
    this.inputs.push({ name, value: v.id });
    return v;
  }

  /** One graph value per parameter path, created on first use. */
  param(path: string, type: TensorType, span: Span): TensorRef {
    const hit = this.paramByPath.get(path);
    if (hit) return hit;
    const v = this.addValue(type, span, { kind: "param", path }, path);
    this.paramByPath.set(path, v);
    this.params.push({ path, value: v.id });
    return v;
  }

  constant(value: number | readonly number[], dtype: DType, shape: TensorType["shape"], span: Span): TensorRef {
    if (!this.keeps) return this.bare({ shape, dtype }, span);
    return this.addValue({ shape, dtype }, span, { kind: "constant", value }, `const_${this.values.length}`);
  }

  node(op: string, inputs: readonly (TensorRef | null)[], attrs: OpAttrs, outTypes: readonly TensorType[], scope: string, span: Span): TensorRef[] {
    if (!this.keeps) return outTypes.map((t) => this.bare(t, span));
    const id = this.nodes.length;
    const outs = outTypes.map((t, i) =>
      this.addValue(t, span, { kind: "node", node: id, index: i }, `${scope ? scope + "/" : ""}${op}_${id}${outTypes.length > 1 ? `_${i}` : ""}`));
    this.nodes.push({ id, op, inputs: inputs.map((x) => (x ? x.id : null)), outputs: outs.map((o) => o.id), attrs, scope, span });
    return outs;
  }

  /** Gives a computed value the name of the local it was bound to (`vision.attn/q`), so
   *  backends and viewers show the program's names; the first name bound wins. */
  nameLocal(id: number, scope: string, local: string): void {
    if (!this.keeps) return;
    const v = this.values[id];
    if (!v || v.source.kind !== "node" || this.named.has(id)) return;
    this.named.add(id);
    this.values[id] = { ...v, name: `${scope ? scope + "/" : ""}${local}` };
  }
  private readonly named = new Set<number>();

  /** Notes a named tensor for `mm shapes`. */
  shape(record: ShapeRecord): void {
    if (this.keeps) this.shapes.push(record);
  }

  finish(): Graph {
    if (!this.keeps) throw new Error("internal: a check-only trace has no graph");
    return {
      values: this.values, nodes: this.nodes, inputs: this.inputs, params: this.params,
      outputs: this.outputs, losses: this.losses, shapes: this.shapes,
    };
  }
}
