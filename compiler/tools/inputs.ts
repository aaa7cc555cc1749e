// Inputs for running a compiled model without real data: default values for its symbolic
// dims and seeded random tensors for its inputs. `mm run` and the backend tests share them,
// so a test's numbers can be reproduced from the command line.
import { Dim } from "../base/dims.js";
import type { DType } from "../base/tensor.js";
import { mulberry32 } from "../ir/weights.js";
import { valueMap, type IrGraph } from "../ir/ir.js";

/** The default for a symbolic dim: 2 for the batch-like B, N and V, 3 for any other. */
export function defaultDim(symbol: string): number {
  return ["B", "N", "V"].includes(symbol) ? 2 : 3;
}

/** Every symbolic dim of the graph's inputs bound to its default (see defaultDim). */
export function defaultBindings(ir: IrGraph): Map<string, number> {
  const vm = valueMap(ir);
  const bind = new Map<string, number>();
  for (const i of ir.inputs) for (const d of vm.get(i.value)!.type.shape) for (const s of d.symbols()) bind.set(s, defaultDim(s));
  return bind;
}

/** The exclusive upper bound for an int input: the smallest table, class count or axis
 *  it indexes (so ids stay in range), else 2. */
export function intBound(ir: IrGraph, value: number): number {
  const vm = valueMap(ir);
  let bound = Infinity;
  const dim = (id: number | null, axis: number): number => {
    const v = id === null ? undefined : vm.get(id);
    const d = v?.type.shape[axis < 0 ? v.type.shape.length + axis : axis]?.constValue();
    return d ?? Infinity;
  };
  for (const n of ir.nodes) {
    if (n.op === "embedding" && n.inputs[0] === value) bound = Math.min(bound, dim(n.inputs[1]!, 0));
    if (n.op === "cross_entropy" && n.inputs[1] === value) bound = Math.min(bound, dim(n.inputs[0]!, Number(n.attrs.axis)));
    if (n.op === "gather" && n.inputs[1] === value) bound = Math.min(bound, dim(n.inputs[0]!, Number(n.attrs.axis)));
    if (n.op === "one_hot" && n.inputs[0] === value) bound = Math.min(bound, typeof n.attrs.classes === "number" ? n.attrs.classes : Infinity);
  }
  return Number.isFinite(bound) ? bound : 2;
}

/** A shape with its symbolic dims bound; throws naming a dim left unbound. */
export function concrete(shape: readonly Dim[], bind: ReadonlyMap<string, number>): number[] {
  const b = new Map([...bind].map(([k, v]) => [k, Dim.const(v)]));
  return shape.map((d) => {
    const c = d.substitute(b).constValue();
    if (c === undefined) throw new Error(`dim ${d.toString()} is not bound`);
    return c;
  });
}

export interface RandomInput {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: number[];
  /** The values, as float64 (for reference computations). */
  readonly values: Float64Array;
  /** The same values typed for a runtime: float32 → Float32Array, int64 → BigInt64Array, bool → Uint8Array. */
  readonly data: Float32Array | BigInt64Array | Uint8Array;
}

/** The inputs a loss reads as probabilities or targets in [0, 1] (kl_div's q, a
 *  cross_entropy's soft targets, a binary cross-entropy's y) or whose log is taken (a KL
 *  written out), directly or through other ops (a normalisation): random values for them
 *  must be positive, or the reference itself is NaN. */
export function probabilityInputs(ir: IrGraph): Set<number> {
  const producer = new Map<number, IrGraph["nodes"][number]>();
  for (const n of ir.nodes) for (const o of n.outputs) producer.set(o, n);
  const seen = new Set<number>();
  const stack = [
    ...ir.nodes.filter((n) => ["kl_div", "cross_entropy", "binary_cross_entropy_with_logits"].includes(n.op)).map((n) => n.inputs[1]!),
    ...ir.nodes.filter((n) => n.op === "log").map((n) => n.inputs[0]!),
  ];
  while (stack.length) {
    const v = stack.pop()!;
    if (v === null || seen.has(v)) continue;
    seen.add(v);
    for (const i of producer.get(v)?.inputs ?? []) if (i !== null) stack.push(i);
  }
  return new Set(ir.inputs.map((i) => i.value).filter((v) => seen.has(v)));
}

/** Seeded inputs for the graph's data inputs, in input order: floats uniform in [-1, 1)
 *  (in [0.05, 1) for probabilities, see probabilityInputs), ints in [0, intBound), bool masks
 *  mostly true (so no row is masked out entirely by chance). */
export function randomInputs(ir: IrGraph, bind: ReadonlyMap<string, number>, seed = 7): RandomInput[] {
  const rand = mulberry32(seed);
  const vm = valueMap(ir);
  const probs = probabilityInputs(ir);
  return ir.inputs.map((i) => {
    const t = vm.get(i.value)!.type;
    const dims = concrete(t.shape, bind);
    const n = dims.reduce((a, b) => a * b, 1);
    if (t.dtype === "bool") {
      const values = Float64Array.from({ length: n }, (_, k) => (k === 0 || rand() < 0.8 ? 1 : 0));
      return { name: i.name, dtype: t.dtype, dims, values, data: Uint8Array.from(values) };
    }
    if (t.dtype === "int64") {
      const hi = intBound(ir, i.value);
      const values = Float64Array.from({ length: n }, () => Math.floor(rand() * hi));
      return { name: i.name, dtype: t.dtype, dims, values, data: BigInt64Array.from(values, (x) => BigInt(x)) };
    }
    const prob = probs.has(i.value);
    const values = Float64Array.from({ length: n }, () => Math.fround(prob ? 0.05 + 0.95 * rand() : 2 * rand() - 1));
    return { name: i.name, dtype: t.dtype, dims, values, data: Float32Array.from(values) };
  });
}
