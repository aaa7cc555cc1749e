// safetensors: an 8-byte little-endian header length N, N bytes of JSON ({name: {dtype,
// shape, data_offsets: [begin, end]}, "__metadata__": {...}}), then the data, offsets relative
// to its start. Every length and range is checked against the file before anything is read.
import { DTYPE_SIZE, type DType } from "../base/tensor.js";
import { CheckpointError, contiguousTensor, numel, RandomAccessFile, type Checkpoint, type CheckpointTensor } from "./checkpoint.js";

/** safetensors dtype names ↔ mm's. */
const DTYPES: Readonly<Record<string, DType>> = {
  F32: "float32", F16: "float16", BF16: "bfloat16", F64: "float64", I64: "int64", I32: "int32", I8: "int8", U8: "uint8", BOOL: "bool",
};
export const SAFETENSORS_DTYPE: Readonly<Record<DType, string>> = Object.fromEntries(Object.entries(DTYPES).map(([k, v]) => [v, k])) as Record<DType, string>;

/** The largest header mm reads (the format's own limit is 100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

interface Entry { readonly dtype: string; readonly shape: readonly number[]; readonly data_offsets: readonly [number, number] }

function isEntry(v: unknown): v is Entry {
  if (typeof v !== "object" || v === null) return false;
  const e = v as Record<string, unknown>;
  const ints = (a: unknown, n?: number): boolean =>
    Array.isArray(a) && (n === undefined || a.length === n) && a.every((x) => Number.isSafeInteger(x) && (x as number) >= 0);
  return typeof e["dtype"] === "string" && ints(e["shape"]) && ints(e["data_offsets"], 2);
}

/** The tensors of one .safetensors file (kept open until the checkpoint closes). */
export function readSafetensors(file: RandomAccessFile): CheckpointTensor[] {
  const path = file.path;
  if (file.size < 8) throw new CheckpointError("MM6002", `the file is ${file.size} bytes, shorter than a safetensors header length`, path, 0);
  const n = new DataView(file.read(0, 8, "the header length").buffer).getBigUint64(0, true);
  if (n > BigInt(file.size - 8)) throw new CheckpointError("MM6002", `the header length ${n} goes beyond the end of the file (${file.size} bytes)`, path, 0);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new CheckpointError("MM6002", `the header is ${n} bytes, more than the ${MAX_HEADER_BYTES} safetensors allows`, path, 0);
  const headerLength = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(file.read(8, headerLength, "the header")));
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError("MM6001", `the header is not JSON: this is not a safetensors file`, path, 8);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new CheckpointError("MM6001", "the header is not a JSON object", path, 8);
  const dataStart = 8 + headerLength;
  const dataSize = file.size - dataStart;
  const out: CheckpointTensor[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    if (!isEntry(v)) throw new CheckpointError("MM6002", `tensor ${name}: the header entry lacks dtype, shape or data_offsets`, path, 8);
    const dtype = DTYPES[v.dtype];
    if (dtype === undefined) throw new CheckpointError("MM6004", `tensor ${name}: dtype ${v.dtype} is not one mm holds (${Object.keys(DTYPES).join(", ")})`, path, 8);
    const [begin, end] = v.data_offsets;
    const bytes = numel(v.shape) * DTYPE_SIZE[dtype];
    if (end < begin || end > dataSize) {
      throw new CheckpointError("MM6002", `tensor ${name}: bytes ${begin}..${end} of the data leave the file (${dataSize} bytes of data)`, path, dataStart + Math.min(begin, dataSize));
    }
    if (end - begin !== bytes) {
      throw new CheckpointError("MM6002", `tensor ${name}: ${end - begin} bytes for shape [${v.shape.join(", ")}] ${dtype}, which needs ${bytes}`, path, dataStart + begin);
    }
    out.push(contiguousTensor(file, name, dtype, v.shape, dataStart + begin));
  }
  return out;
}

/** One .safetensors file as a checkpoint (index.ts combines the shards of an index). */
export function openSafetensors(path: string): Checkpoint {
  const f = new RandomAccessFile(path);
  try {
    return { path, format: "safetensors", tensors: new Map(readSafetensors(f).map((t) => [t.name, t])), close: () => f.close() };
  } catch (e) {
    f.close();
    throw e;
  }
}
