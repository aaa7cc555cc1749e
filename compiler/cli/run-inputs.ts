// `mm run --inputs FILE`: the file's arrays matched to the model's inputs by name (a .npy's
// one array to the only input), symbolic dims taken from their shapes where --bind leaves
// them open, then checked (shape, dtype) and converted to what a runner feeds. Every problem
// is a coded diagnostic on the file (MM8001..MM8005), all of them reported at once.
import { formatShape } from "../base/tensor.js";
import { Dim } from "../base/dims.js";
import type { DType } from "../base/tensor.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { closest } from "../diagnostics/suggest.js";
import { valueMap, type IrGraph } from "../ir/ir.js";
import { concrete, type RandomInput } from "../tools/inputs.js";
import { npyValues, shapeOf, type FileArray } from "../tools/tensor-file.js";

export interface ModelInput {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export function modelInputs(g: IrGraph): ModelInput[] {
  const vm = valueMap(g);
  return g.inputs.map((i) => ({ name: i.name, dtype: vm.get(i.value)!.type.dtype, shape: vm.get(i.value)!.type.shape }));
}

export interface Matched {
  readonly byInput: ReadonlyMap<string, FileArray>;
  /** Symbolic dims taken from the arrays, and the input each came from. */
  readonly inferred: ReadonlyMap<string, { readonly value: number; readonly input: string }>;
}

const list = (names: readonly string[]): string => names.map((n) => `'${n}'`).join(", ");

/** Names and dims: which array feeds which input, and the dims the arrays bind. */
export function matchInputs(file: string, arrays: ReadonlyMap<string, FileArray>, inputs: readonly ModelInput[], model: string,
  bound: ReadonlySet<string>, randomMissing: boolean): { diagnostics: Diagnostic[]; matched: Matched } {
  const at = { file, start: 0, end: 0 };
  const ds: Diagnostic[] = [];
  const names = inputs.map((i) => i.name);
  const byInput = new Map<string, FileArray>();
  for (const [key, a] of arrays) {
    if (key === "" && inputs.length === 1) byInput.set(names[0]!, a);
    else if (key === "") ds.push(diag("MM8001", at, { message: `a .npy file holds one array, and ${model} has ${inputs.length} inputs (${names.join(", ") || "none"}): give an .npz or a JSON file keyed by input name` }));
    else if (names.includes(key)) byInput.set(key, a);
    else {
      const near = closest(key, names);
      ds.push(diag("MM8002", at, { model, name: key }, { hint: `${near !== undefined ? `did you mean '${near}'? ` : ""}its inputs: ${names.join(", ") || "none"}` }));
    }
  }
  const missing = arrays.has("") && inputs.length !== 1 ? [] : names.filter((n) => !byInput.has(n));
  if (missing.length && !randomMissing) {
    ds.push(diag("MM8003", at, { model, names: `${missing.length === 1 ? "input" : "inputs"} ${list(missing)}` },
      { hint: "--random-missing fills what the file lacks with the seeded random values of a run without --inputs" }));
  }
  const inferred = new Map<string, { value: number; input: string }>();
  for (const i of inputs) {
    const a = byInput.get(i.name);
    if (!a || shapeOf(a).length !== i.shape.length) continue;
    i.shape.forEach((d, k) => {
      const s = d.symbolName();
      const v = shapeOf(a)[k]!;
      if (s !== undefined && v >= 1 && !bound.has(s) && !inferred.has(s)) inferred.set(s, { value: v, input: i.name });
    });
  }
  return { diagnostics: ds, matched: { byInput, inferred } };
}

const FLOATS = new Set<DType>(["float16", "float32", "float64", "bfloat16"]);
const INTS = new Set<DType>(["int8", "int32", "int64", "uint8"]);

/** Shapes and dtypes checked against the bound model, and the arrays as a runner feeds them. */
export function convertInputs(file: string, m: Matched, inputs: readonly ModelInput[], model: string, bind: ReadonlyMap<string, number>,
  why: (symbol: string) => string): { diagnostics: Diagnostic[]; values: Map<string, RandomInput> } {
  const at = { file, start: 0, end: 0 };
  const ds: Diagnostic[] = [];
  const values = new Map<string, RandomInput>();
  for (const i of inputs) {
    const a = m.byInput.get(i.name);
    if (!a) continue;
    const dims = concrete(i.shape, bind);
    const actual = shapeOf(a);
    if (actual.length !== dims.length || actual.some((d, k) => d !== dims[k])) {
      const symbols = [...new Set(i.shape.flatMap((d) => d.symbols()))];
      const hint = `${formatShape(i.shape)}${symbols.length ? ` with ${symbols.map((s) => `${s} = ${bind.get(s)} (${why(s)})`).join(", ")}` : ""}`;
      ds.push(diag("MM8004", at, { name: i.name, model, actual: formatShape(actual.map((d) => Dim.const(d))), expected: formatShape(dims.map((d) => Dim.const(d))) }, { hint: `the model declares ${hint}` }));
      continue;
    }
    const r = convert(a, i, dims);
    if (typeof r === "string") ds.push(diag("MM8005", at, { name: i.name, model, actual: r, expected: i.dtype }));
    else values.set(i.name, r);
  }
  return { diagnostics: ds, values };
}

/** The runner's form of one array, or what it is when its dtype does not fit the input. */
function convert(a: FileArray, i: ModelInput, dims: number[]): RandomInput | string {
  const want = FLOATS.has(i.dtype) ? "float" : INTS.has(i.dtype) ? "int" : "bool";
  let vals: Float64Array;
  if (a.kind === "npy") {
    const have = FLOATS.has(a.array.dtype) ? "float" : INTS.has(a.array.dtype) ? "int" : "bool";
    if (have !== want) return a.array.dtype;
    vals = npyValues(a.array);
    if (a.array.dtype === "int64") {
      // exact int64 (ids past 2^53 stay exact): read as BigInt, not through float64
      const dv = new DataView(a.array.bytes.buffer, a.array.bytes.byteOffset, a.array.bytes.byteLength);
      const data = BigInt64Array.from({ length: vals.length }, (_, k) => dv.getBigInt64(8 * k, true));
      return { name: i.name, dtype: i.dtype, dims, values: vals, data };
    }
  } else {
    const bools = a.values.length > 0 && typeof a.values[0] === "boolean";
    if (bools && want !== "bool") return "JSON true/false";
    vals = Float64Array.from(a.values, (x) => Number(x));
    if (want === "int" && !vals.every((x) => Number.isSafeInteger(x))) return "JSON numbers that are not all integers";
    if (want === "bool" && !bools && !vals.every((x) => x === 0 || x === 1)) return "JSON numbers other than 0 and 1";
  }
  const data = want === "float" ? Float32Array.from(vals) : want === "int" ? BigInt64Array.from(vals, (x) => BigInt(x)) : Uint8Array.from(vals, (x) => (x ? 1 : 0));
  return { name: i.name, dtype: i.dtype, dims, values: want === "float" ? Float64Array.from(data as Float32Array) : vals, data };
}
