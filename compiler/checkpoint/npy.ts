// NumPy's .npy format (numpy.lib.format, versions 1.0 to 3.0): a magic string, a header that
// is a Python dict literal (`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`)
// and the raw elements. `mm run --inputs` reads it and `--save` writes it (inside .npz). A
// few dozen lines do not justify a dependency; numpy's own files are the test (test/cli/run-files.test.ts).
import { DTYPE_SIZE, type DType } from "../base/tensor.js";

/** A file of arrays mm cannot read (MM8001 at the CLI), with where it went wrong. */
export class TensorFileError extends Error {
  constructor(message: string, readonly file: string, readonly offset = 0) {
    super(message);
    this.name = "TensorFileError";
  }
}

/** An array as read: little-endian bytes in row-major (C) order. */
export interface HostArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy's little-endian descr for each dtype mm holds (bfloat16 has none in numpy). */
const DESCR: Readonly<Partial<Record<DType, string>>> = {
  float32: "<f4", float64: "<f8", float16: "<f2", int64: "<i8", int32: "<i4", int8: "|i1", uint8: "|u1", bool: "|b1",
};
const FROM_DESCR = new Map(Object.entries(DESCR).flatMap(([d, s]) => [[s, d as DType], [s.replace(/^\|/, "<"), d as DType], [s.replace(/^[<|]/, "="), d as DType]]));

export const numelOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Parses one .npy file's bytes. */
export function parseNpy(bytes: Uint8Array, file: string, what = "the array"): HostArray {
  const bad = (msg: string, at = 0): TensorFileError => new TensorFileError(`${what}: ${msg}`, file, at);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad("not a .npy array (no \\x93NUMPY magic)");
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major < 1 || major > 3) throw bad(`.npy format version ${major}.${bytes[7]} is not one mm reads (1.0 to 3.0)`, 6);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw bad("the header is cut short", 8);
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenBytes + headerLen;
  if (start > bytes.length) throw bad("the header is cut short", 8);
  const header = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(bytes.subarray(8 + lenBytes, start));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw bad(`the header is not a plain array's (${header.trim().slice(0, 80)})`, 10);
  const dtype = FROM_DESCR.get(descr);
  if (dtype === undefined) throw bad(`dtype '${descr}' is not one mm reads (little-endian float16/32/64, int8/32/64, uint8, bool)`, 10);
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad(`shape (${shapeText}) is not a tuple of sizes`, 10);
  const size = numelOf(shape) * DTYPE_SIZE[dtype];
  if (!Number.isSafeInteger(size) || start + size > bytes.length) throw bad(`${shape.length ? `(${shape.join(", ")})` : "a scalar"} of ${descr} needs ${size} bytes of data, the file has ${bytes.length - start}`, start);
  const data = bytes.slice(start, start + size);
  return { dtype, shape, bytes: fortran === "True" ? fromFortran(data, shape, DTYPE_SIZE[dtype]) : data };
}

/** Column-major (Fortran) elements in row-major order. */
function fromFortran(data: Uint8Array, shape: readonly number[], size: number): Uint8Array {
  if (shape.length < 2) return data;
  const out = new Uint8Array(data.length);
  const n = numelOf(shape);
  const idx = new Array<number>(shape.length).fill(0); // row-major counter over `shape`
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let k = shape.length - 1; k >= 0; k--) f = f * shape[k]! + idx[k]!;
    out.set(data.subarray(f * size, f * size + size), c * size);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** A .npy file (version 1.0, header padded so that the data starts at a multiple of 64). */
export function encodeNpy(a: HostArray): Uint8Array {
  const descr = DESCR[a.dtype];
  if (descr === undefined) throw new Error(`internal: no .npy dtype for ${a.dtype}`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header += " ".repeat(63 - ((10 + header.length) % 64)) + "\n";
  const out = new Uint8Array(10 + header.length + a.bytes.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(a.bytes, 10 + header.length);
  return out;
}
