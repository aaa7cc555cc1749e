// The WebGPU backend's graph: the IR graph with every symbolic dim bound to a number
// (plans are specialised to their shapes: `--bind B=2`), tensors typed with the GPU's
// element types. Decomposition and fusion work on this graph.
import { Dim } from "../../base/dims.js";
import type { DType } from "../../base/tensor.js";
import { graphSymbols, type IrGraph, type IrParam } from "../../ir/ir.js";
import type { OpAttrs } from "../../ops/op.js";
import type { EdgeDType, GpuDType } from "../../../runtime/plan.js";

export interface CTensor {
  readonly id: number;
  readonly name: string;
  readonly shape: readonly number[];
  /** The IR dtype (what the ONNX graph has at this point). */
  readonly dtype: DType;
  readonly kind: "input" | "param" | "const" | "node";
  /** For a const: its values (a scalar is broadcast to the shape). */
  readonly data?: readonly number[];
  /** For a param: the IR parameter. */
  readonly param?: IrParam;
}

export interface CNode {
  readonly op: string;
  readonly inputs: readonly (number | null)[];
  readonly outputs: readonly number[];
  readonly attrs: OpAttrs;
  /** scope/op, for labels. */
  readonly label: string;
}

export interface CGraph {
  readonly name: string;
  readonly task?: string;
  readonly bindings: ReadonlyMap<string, number>;
  readonly tensors: Map<number, CTensor>;
  readonly nodes: CNode[];
  readonly inputs: readonly { readonly name: string; readonly tensor: number }[];
  readonly outputs: readonly { readonly name: string; readonly tensor: number }[];
}

/** A backend limitation or a missing binding: reported to the user, not a compiler bug. */
export class WebGpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebGpuError";
  }
}

export function gpuType(d: DType): GpuDType {
  switch (d) {
    case "float32": return "f32";
    case "int64": case "int32": return "i32";
    case "bool": return "u32";
    default: throw new WebGpuError(`the webgpu target has no ${d} tensors yet (float32, int32, int64 and bool)`);
  }
}

export function edgeType(d: DType): EdgeDType {
  if (d === "float32" || d === "int64" || d === "int32" || d === "bool") return d;
  throw new WebGpuError(`the webgpu target has no ${d} tensors yet (float32, int32, int64 and bool)`);
}

export function numelOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Bytes on the GPU: every element type is 4 bytes. */
export function byteSize(t: CTensor): number {
  return numelOf(t.shape) * 4;
}

/** The symbols of the graph's inputs that need a value. */
export function symbolsToBind(ir: IrGraph): string[] {
  return graphSymbols(ir.values);
}

export function specialize(ir: IrGraph, bind: ReadonlyMap<string, number>): CGraph {
  const missing = symbolsToBind(ir).filter((s) => !bind.has(s));
  if (missing.length) {
    throw new WebGpuError(`the plan is specialised to its shapes: give ${missing.map((s) => `--bind ${s}=N`).join(" ")} ` +
      `(symbolic dims: ${missing.join(", ")})`);
  }
  const dimMap = new Map([...bind].map(([k, v]) => [k, Dim.const(v)]));
  const params = new Map(ir.params.map((p) => [p.value, p]));
  const tensors = new Map<number, CTensor>();
  for (const v of ir.values) {
    const shape = v.type.shape.map((d) => {
      const c = (d.isConst() ? d : d.substitute(dimMap)).constValue();
      if (c === undefined || !Number.isInteger(c) || c < 0) throw new WebGpuError(`${v.name}: dim ${d.toString()} is not a non-negative integer with these bindings`);
      return c;
    });
    gpuType(v.type.dtype);
    const src = v.source;
    const base = { id: v.id, name: v.name, shape, dtype: v.type.dtype };
    if (src.kind === "constant") tensors.set(v.id, { ...base, kind: "const", data: typeof src.value === "number" ? [src.value] : src.value });
    else if (src.kind === "param") tensors.set(v.id, { ...base, kind: "param", param: params.get(v.id)! });
    else tensors.set(v.id, { ...base, kind: src.kind === "input" ? "input" : "node" });
  }
  const vm = new Map(ir.values.map((v) => [v.id, v]));
  const nodes: CNode[] = ir.nodes.map((n) => {
    const label = `${n.scope ? `${n.scope}/` : ""}${n.op}`;
    return { op: n.op, inputs: n.inputs, outputs: n.outputs, attrs: bindAttrs(n.attrs, dimMap, label), label };
  });
  return {
    name: ir.name, ...(ir.task !== undefined ? { task: ir.task } : {}), bindings: bind, tensors, nodes,
    inputs: ir.inputs.map((i) => ({ name: vm.get(i.value)!.name, tensor: i.value })),
    outputs: ir.outputs.map((o) => ({ name: o.name, tensor: o.value })),
  };
}

/** Runtime-sized Int attributes (Dims, see OpAttrs) become the numbers these bindings give,
 *  so kernels only ever read constants. */
function bindAttrs(attrs: OpAttrs, dimMap: ReadonlyMap<string, Dim>, label: string): OpAttrs {
  let out: Record<string, OpAttrs[string]> | undefined;
  for (const [k, v] of Object.entries(attrs)) {
    if (!(v instanceof Dim)) continue;
    const c = v.substitute(dimMap).constValue();
    if (c === undefined) throw new WebGpuError(`${label}: argument '${k}' = ${v.toString()} has no value with these bindings`);
    (out ??= { ...attrs })[k] = c;
  }
  return out ?? attrs;
}
