// Files of named arrays for `mm run`: `--inputs FILE` reads .npy (one array), .npz (arrays by
// name) or JSON (an object of nested arrays of numbers); `--save OUT` writes the outputs as
// .npz or JSON in the same forms, so a saved file can be fed back. JSON has no NaN or
// infinities: they are the strings "NaN", "Infinity" and "-Infinity", both ways.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { decodeData, encodeData } from "../base/encode.js";
import type { DType } from "../base/tensor.js";
import { encodeNpz, readNpz } from "../checkpoint/npz.js";
import { numelOf, parseNpy, TensorFileError, type HostArray } from "../checkpoint/npy.js";

export { TensorFileError } from "../checkpoint/npy.js";

/** An array from a file: numpy's, with its dtype, or JSON's, whose values say what they are. */
export type FileArray =
  | { readonly kind: "npy"; readonly array: HostArray }
  | { readonly kind: "json"; readonly shape: readonly number[]; readonly values: readonly (number | boolean)[] };

export const TENSOR_FILE_EXTS = [".npy", ".npz", ".json"] as const;

export function shapeOf(a: FileArray): readonly number[] {
  return a.kind === "npy" ? a.array.shape : a.shape;
}

/** The arrays of a file by name (a .npy's one array is named ""), in file order. */
export function readTensorFile(path: string): Map<string, FileArray> {
  const ext = extname(path).toLowerCase();
  if (ext === ".npz") return new Map([...readNpz(path)].map(([k, a]) => [k, { kind: "npy", array: a }]));
  const bytes = readFileSync(path);
  if (ext === ".npy") return new Map([["", { kind: "npy", array: parseNpy(bytes, path) }]]);
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    throw new TensorFileError(`not JSON: ${e instanceof Error ? e.message : String(e)}`, path);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw new TensorFileError("a JSON inputs file is an object keyed by input name, like {\"x\": [[1, 2], [3, 4]]}", path);
  return new Map(Object.entries(doc as Record<string, unknown>).map(([k, v]) => [k, jsonArray(v, path, k)]));
}

const SPECIAL: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** A nested JSON array as a shape and row-major values; ragged rows and odd leaves are errors. */
function jsonArray(v: unknown, file: string, name: string): FileArray {
  const shape: number[] = [];
  for (let x = v; Array.isArray(x); x = x[0]) shape.push(x.length);
  const values: (number | boolean)[] = [];
  const walk = (x: unknown, depth: number, at: string): void => {
    if (depth < shape.length) {
      if (!Array.isArray(x) || x.length !== shape[depth]) {
        throw new TensorFileError(`'${name}'${at}: ${Array.isArray(x) ? `${x.length} items where the first row at this depth has ${shape[depth]}` : "a value where a row was expected"} (arrays must be rectangular)`, file);
      }
      x.forEach((y, i) => walk(y, depth + 1, `${at}[${i}]`));
      return;
    }
    if (typeof x === "number" || typeof x === "boolean") values.push(x);
    else if (typeof x === "string" && x in SPECIAL) values.push(SPECIAL[x]!);
    else throw new TensorFileError(`'${name}'${at}: ${Array.isArray(x) ? "a row deeper than the first one" : JSON.stringify(x)?.slice(0, 40) ?? "null"} is not a number (arrays hold numbers, or true/false for a bool input)`, file);
  };
  walk(v, 0, "");
  if (values.some((x) => typeof x === "boolean") && values.some((x) => typeof x === "number")) throw new TensorFileError(`'${name}' mixes numbers and true/false`, file);
  return { kind: "json", shape, values };
}

/** A run's output as a file holds it. */
export interface SavedArray {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/** The bytes of an .npz (OUT ends with .npz) or JSON file of `arrays`. */
export function encodeTensorFile(path: string, arrays: readonly SavedArray[]): Uint8Array {
  if (extname(path).toLowerCase() === ".npz") {
    return encodeNpz(new Map(arrays.map((a) => [a.name, { dtype: a.dtype, shape: a.shape, bytes: encodeData(a.values, a.dtype) }])), path);
  }
  const parts = arrays.map((a) => `  ${JSON.stringify(a.name)}: ${nested(a)}`);
  return new TextEncoder().encode(`{\n${parts.join(",\n")}\n}\n`);
}

/** Row-major values as nested JSON arrays; floats with 9 significant digits (float32 exactly). */
function nested(a: SavedArray): string {
  const leaf = (x: number): string => {
    if (a.dtype === "bool") return x ? "true" : "false";
    if (!Number.isFinite(x)) return Number.isNaN(x) ? "\"NaN\"" : x > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return a.dtype.startsWith("float") ? String(Number(x.toPrecision(9))) : String(x);
  };
  let at = 0;
  const level = (d: number): string => {
    if (d === a.shape.length) return leaf(a.values[at++]!);
    return `[${Array.from({ length: a.shape[d]! }, () => level(d + 1)).join(", ")}]`;
  };
  return level(0);
}

/** The values of a numpy array as numbers (int64 beyond 2^53 rounds). */
export function npyValues(a: HostArray): Float64Array {
  return decodeData(a.bytes, a.dtype);
}

export { numelOf };
