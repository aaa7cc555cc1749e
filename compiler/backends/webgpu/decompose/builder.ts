// Builds nodes on a specialised graph, computing each output's shape and dtype as it goes
// (decompositions only use ops whose shape rules are simple: elementwise with
// broadcasting, reductions, reshapes).
import type { DType } from "../../../base/tensor.js";
import type { OpAttrs } from "../../../ops/op.js";
import type { CGraph, CNode, CTensor } from "../graph.js";

export class Builder {
  private nextId: number;
  private made: CNode[] = [];
  private label = "";

  constructor(private readonly g: CGraph) {
    this.nextId = Math.max(0, ...g.tensors.keys()) + 1;
  }

  begin(label: string): void {
    this.label = label;
    this.made = [];
  }

  end(): CNode[] {
    return this.made;
  }

  /** A rule's result tensor `made` is the node's output `id`: drop the temporary tensor. */
  retire(made: number): void {
    this.g.tensors.delete(made);
  }

  tensor(id: number): CTensor {
    return this.g.tensors.get(id)!;
  }

  node(op: string, inputs: readonly (number | null)[], shape: readonly number[], dtype: DType, attrs: OpAttrs = {}): number {
    const id = this.nextId++;
    this.g.tensors.set(id, { id, name: `${this.label}/${op}_${id}`, shape, dtype, kind: "node" });
    this.made.push({ op, inputs, outputs: [id], attrs, label: `${this.label}/${op}` });
    return id;
  }

  scalar(value: number, dtype: DType = "float32"): number {
    const id = this.nextId++;
    this.g.tensors.set(id, { id, name: `${this.label}/const_${id}`, shape: [], dtype, kind: "const", data: [value] });
    return id;
  }

  /** An elementwise op with numpy broadcasting. */
  ew(op: string, inputs: readonly number[], dtype?: DType, attrs: OpAttrs = {}): number {
    const shapes = inputs.map((i) => this.tensor(i).shape);
    const rank = Math.max(...shapes.map((s) => s.length));
    const shape = Array.from({ length: rank }, (_, j) => Math.max(...shapes.map((s) => s[j - (rank - s.length)] ?? 1)));
    return this.node(op, inputs, shape, dtype ?? this.tensor(inputs[inputs.length - 1]!).dtype, attrs);
  }

  reduce(op: string, x: number, axes: readonly number[] | null, keepdim: boolean, dtype?: DType): number {
    const s = this.tensor(x).shape;
    const ax = axes ?? s.map((_, i) => i);
    const shape = s.flatMap((d, i) => (!ax.includes(i) ? [d] : keepdim ? [1] : []));
    return this.node(op, [x], shape, dtype ?? this.tensor(x).dtype, { axes: [...ax], keepdim });
  }
}
