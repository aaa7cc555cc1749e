// Writes an emitted model to disk with its weights streamed: each parameter is generated
// in chunks and written as it is generated, so memory stays flat whatever the model's size.
//
// The model file is assembled from encoded pieces (wire.ts: everything but parameter data)
// and the parameters' bytes, which go either inline (raw_data, in the model file) or
// to external data: `OUT.data` beside the model, each tensor with
// data_location = EXTERNAL and external_data {location: basename, offset, length}.
// Offsets are aligned to 4096 bytes (a page, so onnxruntime can map tensors directly; zero
// padding between them). Fields are written in field-number order, as protobufjs writes
// them, so without external data the file is byte-identical to compileToOnnx's bytes.
//
// External data is used for tensors larger than `externalThreshold` bytes when a threshold
// is given, and forced whenever the model file would otherwise reach 2 GiB (protobuf's
// limit): then tensors above the default threshold (1 MiB) go out, and if what stays
// inline is still too big, the largest inline tensors follow.
//
// The bytes go out through a RingWriter (base/ring-writer.ts): a second thread writes one
// chunk while this one generates the next, through buffers allocated once, when there are
// enough weights to pay for starting it (THREADED_BYTES).
//
// Atomic: both files are written under their base/atomic.ts temporary names, fsynced, and renamed (data first,
// then the model) only when everything succeeded; on any failure the temp files are
// removed and nothing is left at the destination. The output is deterministic.
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, dirname } from "node:path";
import type { EmittedModel, WeightTensor } from "./emit.js";
import { tempPathFor } from "../../base/atomic.js";
import { DTYPE_SIZE } from "../../base/tensor.js";
import { ONNX_DTYPE, onnx, type ModelProto, type TensorProto } from "./proto.js";
import { encodeGraphPart, encodeWith, modelBody, tensorBody } from "./wire.js";
import { ChunkScratch, weightChunks, type WeightsMode } from "../../ir/weights.js";
import { RingWriter } from "../../base/ring-writer.js";

/** Default size above which a tensor goes to external data (1 MiB). */
export const DEFAULT_EXTERNAL_THRESHOLD = 1 << 20;
/** A model file must stay below this (protobuf's 2 GiB limit). */
export const MAX_MODEL_FILE = 2 ** 31 - 1;
/** Weights from this many bytes are written from a second thread. */
export const THREADED_BYTES = 64 << 20;
/** External tensors start at multiples of this. */
export const EXTERNAL_ALIGNMENT = 4096;

export interface WriteOptions {
  readonly weights: WeightsMode;
  /** Tensors larger than this many bytes go to external data; absent: only when forced. */
  readonly externalThreshold?: number;
  /** Called after each chunk of parameter data, with bytes written so far and the total. */
  readonly onProgress?: (written: number, total: number) => void;
  /** Elements generated per chunk (default 1 Mi: 4 MiB of float32). */
  readonly chunkElems?: number;
}

export interface WriteResult {
  readonly path: string;
  /** The external data file, when some tensor went there. */
  readonly dataPath?: string;
  readonly modelBytes: number;
  readonly dataBytes: number;
  /** Parameter bytes, inline and external. */
  readonly weightBytes: number;
  readonly inlineTensors: number;
  readonly externalTensors: number;
  /** Whether the 2 GiB limit sent tensors to external data that the threshold (if any) kept inline. */
  readonly forced: boolean;
}

interface Planned {
  readonly w: WeightTensor;
  readonly bytes: number;
  /** Where it goes in the data file; absent: inline. */
  readonly offset?: number;
}

const sizeOf = (w: WeightTensor): number => w.dims.reduce((a, b) => a * b, 1) * DTYPE_SIZE[w.dtype];
const align = (n: number): number => Math.ceil(n / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;

/** Which tensors go to external data, and at which offsets. */
export function planExternal(weights: readonly WeightTensor[], structureBytes: number, threshold: number | undefined): { plan: Planned[]; forced: boolean; dataBytes: number } {
  const sizes = weights.map(sizeOf);
  const total = sizes.reduce((a, b) => a + b, 0);
  // Room for the protobuf framing of each tensor (name, dims, tags) on top of its data.
  const overhead = weights.reduce((a, w) => a + w.name.length + 16 + 11 * w.dims.length, 0);
  const tooBig = structureBytes + total + overhead >= MAX_MODEL_FILE;
  const external = new Set<number>();
  if (threshold !== undefined || tooBig) {
    const thr = threshold ?? DEFAULT_EXTERNAL_THRESHOLD;
    sizes.forEach((s, i) => s > thr && external.add(i));
  }
  // Forced: the 2 GiB limit moved out tensors that the threshold asked for would not have.
  let forced = tooBig && threshold === undefined;
  let inline = structureBytes + overhead + sizes.reduce((a, s, i) => a + (external.has(i) ? 0 : s), 0);
  if (inline >= MAX_MODEL_FILE) {
    const bySize = sizes.map((s, i) => [s, i] as const).filter(([, i]) => !external.has(i)).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (const [s, i] of bySize) {
      if (inline < MAX_MODEL_FILE) break;
      external.add(i);
      inline -= s;
      forced = true;
    }
  }
  let offset = 0;
  const plan = weights.map((w, i): Planned => {
    if (!external.has(i)) return { w, bytes: sizes[i]! };
    const at = align(offset);
    offset = at + sizes[i]!;
    return { w, bytes: sizes[i]!, offset: at };
  });
  return { plan, forced, dataBytes: offset };
}

const encodeTensor = (t: TensorProto): Uint8Array => encodeWith(tensorBody, t);
/** Fields `from` to `to` of a graph or a model (wire.ts: the bytes protobufjs writes). */
const graphPart = encodeGraphPart;
const modelPart = (m: ModelProto, from: number, to: number): Uint8Array => encodeWith((w, x: ModelProto) => modelBody(w, x, from, to), m);
/** A protobuf varint of a non-negative integer below 2^53. */
function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Uint8Array.from(out);
}
const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

// Wire tags: GraphProto.initializer (5), TensorProto.raw_data (9), ModelProto.graph (7).
const TAG_INITIALIZER = 42, TAG_RAW_DATA = 74, TAG_GRAPH = 58;
const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;

/** Writes `emitted` (its model, and its weights generated per `opts.weights`) to `path`. */
export function writeOnnx(path: string, emitted: EmittedModel, opts: WriteOptions): WriteResult {
  const mode = opts.weights;
  const weights = mode === "none" ? [] : emitted.weights;
  const graph = emitted.model.graph!;
  // ModelProto fields 1-6 come before the graph, 8 and up after; GraphProto's node (1) and
  // name (2) come before the parameters' initializers, the constants' (also 5) and the rest after.
  const modelHead = modelPart(emitted.model, 1, 6);
  const modelEnd = modelPart(emitted.model, 8, 25);
  const graphHead = graphPart(graph, 1, 2);
  const graphEnd = graphPart(graph, 5, 15);
  const structure = modelHead.length + modelEnd.length + graphHead.length + graphEnd.length + 16;

  const { plan, forced, dataBytes } = planExternal(weights, structure, opts.externalThreshold);
  const dataPath = `${path}.data`;
  const location = basename(dataPath);
  // Each initializer's bytes up to its data (inline), or whole (external).
  const heads = plan.map((t): Uint8Array => {
    const base = { dims: [...t.w.dims], dataType: ONNX_DTYPE[t.w.dtype], name: t.w.name };
    if (t.offset !== undefined) {
      const body = encodeTensor({
        ...base, dataLocation: EXTERNAL,
        externalData: [{ key: "location", value: location }, { key: "offset", value: String(t.offset) }, { key: "length", value: String(t.bytes) }],
      });
      return concat([Uint8Array.of(TAG_INITIALIZER), varint(body.length), body]);
    }
    const header = encodeTensor(base);
    const rawLen = varint(t.bytes);
    const len = header.length + 1 + rawLen.length + t.bytes;
    return concat([Uint8Array.of(TAG_INITIALIZER), varint(len), header, Uint8Array.of(TAG_RAW_DATA), rawLen]);
  });
  const graphLen = graphHead.length + graphEnd.length + plan.reduce((a, t, i) => a + heads[i]!.length + (t.offset === undefined ? t.bytes : 0), 0);
  const totalWeights = plan.reduce((a, t) => a + t.bytes, 0);
  const externalCount = plan.filter((t) => t.offset !== undefined).length;

  const tmp = tempPathFor(path);
  const dataTmp = tempPathFor(dataPath);
  let fd: number | undefined;
  let dataFd: number | undefined;
  let modelBytes = 0;
  const out = new RingWriter(mode !== "none" && totalWeights >= THREADED_BYTES);
  const scratch = new ChunkScratch();
  try {
    fd = out.open(tmp);
    if (externalCount) dataFd = out.open(dataTmp);
    const put = (b: Uint8Array): void => {
      out.write(fd!, b);
      modelBytes += b.length;
    };
    let dataAt = 0;
    const putData = (b: Uint8Array): void => {
      out.write(dataFd!, b);
      dataAt += b.length;
    };
    put(modelHead);
    put(Uint8Array.of(TAG_GRAPH));
    put(varint(graphLen));
    put(graphHead);
    let written = 0;
    const chunkElems = opts.chunkElems ?? 1 << 20;
    plan.forEach((t, i) => {
      put(heads[i]!);
      if (t.offset !== undefined && dataAt < t.offset) putData(scratch.zeros(t.offset - dataAt));
      if (mode === "none") return;
      for (const chunk of weightChunks(t.w.param, mode, chunkElems, scratch)) {
        if (t.offset === undefined) put(chunk);
        else putData(chunk);
        written += chunk.length;
        opts.onProgress?.(written, totalWeights);
      }
    });
    put(graphEnd);
    put(modelEnd);
    out.flush();
    const expected = modelHead.length + 1 + varint(graphLen).length + graphLen + modelEnd.length;
    if (modelBytes !== expected || (externalCount && dataAt !== dataBytes))
      throw new Error(`internal error: wrote ${modelBytes} model bytes (expected ${expected}) and ${dataAt} data bytes (expected ${dataBytes})`);
    if (dataFd !== undefined) {
      fsyncSync(dataFd);
      out.closeFile(dataFd);
      dataFd = undefined;
    }
    fsyncSync(fd);
    out.closeFile(fd);
    fd = undefined;
    if (externalCount) renameSync(dataTmp, dataPath);
    renameSync(tmp, path);
    syncDir(dirname(path));
    out.close();
  } catch (e) {
    out.close();
    if (fd !== undefined) out.closeFile(fd);
    if (dataFd !== undefined) out.closeFile(dataFd);
    rmSync(tmp, { force: true });
    rmSync(dataTmp, { force: true });
    throw e;
  }
  return {
    path, ...(externalCount ? { dataPath } : {}), modelBytes, dataBytes: externalCount ? dataBytes : 0,
    weightBytes: totalWeights, inlineTensors: plan.length - externalCount, externalTensors: externalCount, forced,
  };
}

/** Makes the renames durable; some filesystems cannot fsync a directory, which is fine. */
function syncDir(dir: string): void {
  try {
    const d = openSync(dir, "r");
    try {
      fsyncSync(d);
    } finally {
      closeSync(d);
    }
  } catch {
    // best effort
  }
}
