// fold-constants: evaluates nodes whose inputs are all scalar constants (`2.0 / 2.0`,
// `exp(const)`, casts of constants) at compile time. The node goes; its output value
// stays (same id and name) with a constant source, so no use needs rewriting. Results are
// rounded to the output dtype as the runtime would compute them (float32 via fround);
// dtypes without an exact JS model (float16, bfloat16) and non-finite or out-of-range
// results are left to the runtime. Graph outputs are not folded: they stay node-computed.
import type { DType } from "../../base/tensor.js";
import type { OpAttrs } from "../../ops/op.js";
import type { IrGraph, IrNode, IrValue } from "../ir.js";

type Fn = (xs: readonly number[], attrs: OpAttrs) => number;
const b = (f: (x: number, y: number) => number): Fn => (xs) => f(xs[0]!, xs[1]!);
const u = (f: (x: number) => number): Fn => (xs) => f(xs[0]!);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const num = (v: OpAttrs[string]): number | undefined => (typeof v === "number" ? v : undefined);

const EVAL: Readonly<Record<string, Fn>> = {
  add: b((x, y) => x + y), sub: b((x, y) => x - y), mul: b((x, y) => x * y), div: b((x, y) => x / y),
  pow: b((x, y) => x ** y), maximum: b(Math.max), minimum: b(Math.min),
  eq: b((x, y) => +(x === y)), ne: b((x, y) => +(x !== y)), lt: b((x, y) => +(x < y)),
  le: b((x, y) => +(x <= y)), gt: b((x, y) => +(x > y)), ge: b((x, y) => +(x >= y)),
  logical_and: b((x, y) => +(x !== 0 && y !== 0)), logical_or: b((x, y) => +(x !== 0 || y !== 0)),
  logical_not: u((x) => +(x === 0)), where: (xs) => (xs[0] !== 0 ? xs[1]! : xs[2]!),
  neg: u((x) => -x), abs: u(Math.abs), exp: u(Math.exp), log: u(Math.log), sqrt: u(Math.sqrt),
  rsqrt: u((x) => 1 / Math.sqrt(x)), sin: u(Math.sin), cos: u(Math.cos), tanh: u(Math.tanh),
  relu: u((x) => Math.max(x, 0)), sigmoid: u(sigmoid), silu: u((x) => x * sigmoid(x)),
  softplus: u((x) => Math.log1p(Math.exp(x))), identity: u((x) => x), stop_gradient: u((x) => x),
  cast: u((x) => x), // rounded to the target dtype below
  clamp: (xs, a) => Math.min(Math.max(xs[0]!, num(a.min) ?? -Infinity), num(a.max) ?? Infinity),
};

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER], int32: [-(2 ** 31), 2 ** 31 - 1], int8: [-128, 127], uint8: [0, 255], bool: [0, 1],
};

/** The value as the dtype holds it, or undefined when JS cannot model it exactly. */
export function roundTo(x: number, dtype: DType): number | undefined {
  if (!Number.isFinite(x)) return undefined;
  if (dtype === "float32") return Math.fround(x);
  if (dtype === "float64") return x;
  if (dtype === "bool") return x !== 0 ? 1 : 0;
  const r = INT_RANGE[dtype];
  if (!r) return undefined;
  const t = Math.trunc(x);
  return t >= r[0] && t <= r[1] ? t : undefined;
}

export function foldConstants(g: IrGraph): IrGraph {
  // Only constants can be folded into, so only they (and what folds) are looked up: a map
  // of every value was most of this pass's time, and it rarely folds anything.
  const consts = new Map<number, IrValue>();
  for (const v of g.values) if (v.source.kind === "constant") consts.set(v.id, v);
  if (consts.size === 0) return g;
  let byId: Map<number, IrValue> | undefined;
  const valueOf = (id: number): IrValue => (byId ??= new Map(g.values.map((v) => [v.id, v]))).get(id)!;
  const isOutput = new Set(g.outputs.map((o) => o.value));
  const folded = new Map<number, number>();
  const scalar = (id: number | null): number | undefined => {
    const v = id === null ? undefined : consts.get(id);
    if (!v || v.source.kind !== "constant" || v.type.shape.length !== 0 || typeof v.source.value !== "number") return undefined;
    return roundTo(v.source.value, v.type.dtype);
  };
  const nodes: IrNode[] = [];
  for (const n of g.nodes) {
    const fn = EVAL[n.op];
    // Only a node whose inputs are all scalar constants folds.
    if (!fn || n.outputs.length !== 1 || n.inputs.some((i) => scalar(i) === undefined)) {
      nodes.push(n);
      continue;
    }
    const out = valueOf(n.outputs[0]!);
    const xs = n.inputs.map(scalar);
    if (out.type.shape.length === 0 && !isOutput.has(out.id) && xs.every((x): x is number => x !== undefined)) {
      const r = roundTo(fn(xs, n.attrs), out.type.dtype);
      if (r !== undefined) {
        folded.set(out.id, r);
        consts.set(out.id, { ...out, source: { kind: "constant", value: r } });
        continue;
      }
    }
    nodes.push(n);
  }
  if (folded.size === 0) return g;
  const values = g.values.map((v): IrValue => (folded.has(v.id) ? consts.get(v.id)! : v));
  return { ...g, values, nodes };
}
