// safetensors: an 8-byte little-endian header length N, N bytes of JSON ({name: {dtype,
// shape, data_offsets: [begin, end]}, "__metadata__": {...}}), then the data, offsets relative
// to its start. Every length and range is checked against the file before anything is read.
// A sharded checkpoint is a `*.safetensors.index.json` whose `weight_map` names each
// tensor's shard, a file beside the index (never a path elsewhere).
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
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

/** A single file or a sharded checkpoint (its index), as one checkpoint. */
export function openSafetensors(path: string): Checkpoint {
  const files: RandomAccessFile[] = [];
  const tensors = new Map<string, CheckpointTensor>();
  const close = (): void => files.forEach((f) => f.close());
  try {
    if (!path.endsWith(".json")) {
      const f = new RandomAccessFile(path);
      files.push(f);
      for (const t of readSafetensors(f)) tensors.set(t.name, t);
      return { path, format: "safetensors", tensors, close };
    }
    const shards = shardsOf(path);
    for (const shard of [...new Set(shards.values())]) {
      const f = new RandomAccessFile(join(dirname(path), shard));
      files.push(f);
      for (const t of readSafetensors(f)) {
        if (shards.get(t.name) !== shard) {
          throw new CheckpointError("MM6002", `tensor ${t.name} is in ${shard}, but the index puts it in ${shards.get(t.name) ?? "no shard"}`, f.path, 0);
        }
        tensors.set(t.name, t);
      }
    }
    const lost = [...shards.keys()].filter((k) => !tensors.has(k));
    if (lost.length > 0) throw new CheckpointError("MM6002", `the index names ${lost.length} tensors its shards lack, e.g. ${lost[0]}`, path, 0);
    return { path, format: `safetensors (${files.length} shards)`, tensors, close };
  } catch (e) {
    close();
    throw e;
  }
}

/** An index's weight_map, tensor name → shard file name (a file beside the index). */
function shardsOf(indexPath: string): Map<string, string> {
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch {
    throw new CheckpointError("MM6001", "the index is not JSON", indexPath, 0);
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== "object" || map === null) throw new CheckpointError("MM6001", "the index has no weight_map", indexPath, 0);
  const out = new Map<string, string>();
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== "string" || shard !== basename(shard) || shard === "." || shard === "..") {
      throw new CheckpointError("MM6002", `the index puts ${name} in ${JSON.stringify(shard)}, which is not a file beside the index`, indexPath, 0);
    }
    out.set(name, shard);
  }
  return out;
}
