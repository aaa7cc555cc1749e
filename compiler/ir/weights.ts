// Parameter and buffer values when no checkpoint is given, by dotted path, in PyTorch
// layout: what the ONNX initializers, the WebGPU weights.bin and `mm run` inputs hold.
//
// Modes:
//   "none"        structure only: parameters become graph *inputs* with their shapes
//                 (no data). The checker and Netron accept this, every shape stays
//                 visible, and a runtime can feed real weights by name.
//   "zeros"       every parameter is an all-zero initializer.
//   { random: s } PyTorch-like initialization from a seeded PRNG (mulberry32, Box-Muller
//                 normals). Each parameter draws from its own stream, seeded by a hash of
//                 (seed, path), so a parameter gets the same values whatever task or pass
//                 pipeline selects it. weightChunks generates the same stream in chunks
//                 (for writing a big tensor without holding it whole).
//
// Init specs (compiler/elaborate/items.ts), positional arguments in this order:
//   zeros, ones, const(v), normal(mean = 0, std = 1), trunc_normal(std = 1, mean = 0,
//   a = -2, b = 2) with absolute bounds as torch.nn.init.trunc_normal_ (resampled),
//   uniform(low = 0, high = 1), xavier_uniform(gain = 1), xavier_normal(gain = 1),
//   kaiming_uniform(a = sqrt(5)) (nn.Linear's default, bound 1/sqrt(fan_in) at a = sqrt(5)),
//   kaiming_normal(a = 0) (torch's default), both with mode: "fan_in" | "fan_out".
//   fan_in = shape[1] * prod(shape[2:]), fan_out = shape[0] * prod(shape[2:]); a 1-D
//   tensor has fan_in = fan_out = shape[0], a scalar 1.
//   geometric(ratio, start = 1) is start * ratio ** i in flat order; triu(value, k = 0) is
//   value where column - row >= k in the last two dims; sinusoid(base = 10000) is the fixed
//   sin/cos position table over the last two dims [positions, channels]; relative_index(w1,
//   w2, ...) is the [P, P] table (P = w1 * w2 * ...) of each pair of a window's positions'
//   offset, as a row of a (2 w1 - 1) x (2 w2 - 1) x ... table: for row-major coordinates
//   c(i), c(j), sum over k of (c_k(i) - c_k(j) + w_k - 1) * prod over l > k of (2 w_l - 1)
//   (the `relative_position_index` buffer of windowed relative-position attention).
// No init, or `default`: kaiming_uniform(a = sqrt(5)) for 2-D and larger; for 0-D and 1-D,
// ones when the parameter is named weight, scale or gamma (norm scales) and zeros
// otherwise (biases, offsets). Integer and bool parameters are zeros unless const/ones.
import { convertBytes, encodeData } from "../base/encode.js";
import { DTYPE_SIZE, type DType } from "../base/tensor.js";
import type { IrParam } from "./ir.js";
import { Gauss, Mulberry32, streamSeed, type Values } from "./prng.js";

export { mulberry32, streamSeed } from "./prng.js";

/** A tensor that loads into a parameter: raw little-endian bytes of its own dtype. */
export interface SourceTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  read(first: number, count: number): Uint8Array;
}

/** Where checkpoint weights come from: the tensor for a parameter path (after the layout's
 *  name map), or undefined for one the user allowed to be missing (it loads as zeros).
 *  `label` names it in the output's metadata. The CLI checks the keys before any is read. */
export interface WeightSource {
  readonly label: string;
  tensor(path: string): SourceTensor | undefined;
  /** Keep half-precision tensors as they are stored (`--dtype keep`): a backend that can
   *  stores them so and widens them in the graph. */
  readonly keepHalf?: boolean;
}

/** The dtype a parameter's data is written in: its own, or with `keepHalf` the checkpoint
 *  tensor's float16/bfloat16 where the parameter is float32. */
export function storedDType(p: IrParam, mode: WeightsMode): DType {
  if (typeof mode !== "object" || !("checkpoint" in mode) || !mode.checkpoint.keepHalf || p.dtype !== "float32") return p.dtype;
  const t = mode.checkpoint.tensor(p.path);
  return t !== undefined && (t.dtype === "float16" || t.dtype === "bfloat16") ? t.dtype : p.dtype;
}

export type WeightsMode = "none" | "zeros" | { readonly random: number } | { readonly checkpoint: WeightSource };

/** How a file's metadata names the weights: "zeros", "random:0", "checkpoint:clip.safetensors". */
export function weightsLabel(w: WeightsMode): string {
  return typeof w === "string" ? w : "random" in w ? `random:${w.random}` : `checkpoint:${w.checkpoint.label}`;
}

/** How a summary line names the weights: "zeros", "random, seed 0", "checkpoint clip.safetensors". */
export function describeWeights(w: WeightsMode): string {
  return typeof w === "string" ? w : "random" in w ? `random, seed ${w.random}` : `checkpoint ${w.checkpoint.label}`;
}

/** A parameter the initializers cannot fill (an internal error: elaboration checks init
 *  names and parameter shapes first). */
export class WeightsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WeightsError";
  }
}

/** The constant dims of a parameter (parameters never have symbolic shapes). */
export function paramDims(p: IrParam): number[] {
  return p.shape.map((d) => {
    const c = d.constValue();
    if (c === undefined) throw new WeightsError(`parameter ${p.path} has a symbolic shape ${d.toString()}`);
    return c;
  });
}

/** The parameter's values as raw_data bytes, whole. */
export function weightBytes(p: IrParam, mode: Exclude<WeightsMode, "none">): Uint8Array {
  const dims = paramDims(p);
  const n = dims.reduce((a, b) => a * b, 1);
  if (mode === "zeros") return new Uint8Array(n * DTYPE_SIZE[p.dtype]);
  if ("checkpoint" in mode) {
    const out = new Uint8Array(n * DTYPE_SIZE[storedDType(p, mode)]);
    let at = 0;
    for (const c of weightChunks(p, mode)) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
  const out = p.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  initFiller(p, dims, mode.random)(out, n);
  return encodeValues(out, n, p.dtype);
}

/** Bytes of a parameter's raw data. */
export function weightByteLength(p: IrParam): number {
  return paramDims(p).reduce((a, b) => a * b, 1) * DTYPE_SIZE[p.dtype];
}

/** The same bytes as weightBytes, in chunks of at most `chunkElems` elements, generated
 *  as they are asked for: the PRNG stream continues across chunks, so the values do not
 *  depend on the chunk size. Each chunk is a view of a buffer that the next one reuses:
 *  write it out (or copy it) before asking for the next. A writer that streams many tensors
 *  passes one `scratch` for all of them: buffers allocated once are not faulted in again
 *  for every tensor. */
export function* weightChunks(p: IrParam, mode: Exclude<WeightsMode, "none">, chunkElems = 1 << 20, scratch: ChunkScratch = new ChunkScratch()): Generator<Uint8Array, void, undefined> {
  const dims = paramDims(p);
  const n = dims.reduce((a, b) => a * b, 1);
  const size = Math.max(1, Math.min(n, chunkElems));
  if (mode !== "zeros" && "checkpoint" in mode) {
    const t = mode.checkpoint.tensor(p.path);
    if (t !== undefined && t.shape.join(",") !== dims.join(",")) {
      throw new WeightsError(`parameter ${p.path}: the checkpoint's tensor is [${t.shape.join(", ")}], the model's [${dims.join(", ")}]`);
    }
    if (t !== undefined) {
      const to = storedDType(p, mode);
      for (let done = 0; done < n; done += size) {
        const k = Math.min(size, n - done);
        yield convertBytes(t.read(done, k), t.dtype, to);
      }
      return;
    }
    mode = "zeros"; // allowed to be missing
  }
  if (mode === "zeros") {
    const zero = scratch.zeros(size * DTYPE_SIZE[p.dtype]);
    for (let done = 0; done < n; done += size) yield zero.subarray(0, Math.min(size, n - done) * DTYPE_SIZE[p.dtype]);
    return;
  }
  const buf = p.dtype === "float64" ? scratch.f64(size) : scratch.f32(size);
  const fill = initFiller(p, dims, mode.random);
  for (let done = 0; done < n; done += size) {
    const k = Math.min(size, n - done);
    fill(buf, k);
    yield encodeValues(buf, k, p.dtype);
  }
}

/** Buffers weightChunks reuses, grown to the largest chunk asked for. */
export class ChunkScratch {
  private z = new Uint8Array(0);
  private a32 = new Float32Array(0);
  private a64 = new Float64Array(0);
  /** `bytes` zero bytes (never written to: chunks are read-only to their consumer). */
  zeros(bytes: number): Uint8Array {
    if (this.z.length < bytes) this.z = new Uint8Array(bytes);
    return this.z.subarray(0, bytes);
  }
  f32(n: number): Float32Array {
    if (this.a32.length < n) this.a32 = new Float32Array(n);
    return this.a32.subarray(0, n);
  }
  f64(n: number): Float64Array {
    if (this.a64.length < n) this.a64 = new Float64Array(n);
    return this.a64.subarray(0, n);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The first `count` values as raw_data: a view of the buffer for float32/float64. */
function encodeValues(v: Values, count: number, dtype: DType): Uint8Array {
  if (LITTLE_ENDIAN && ((dtype === "float32" && v instanceof Float32Array) || (dtype === "float64" && v instanceof Float64Array)))
    return new Uint8Array(v.buffer, v.byteOffset, count * v.BYTES_PER_ELEMENT);
  return encodeData(v.subarray(0, count), dtype);
}

function fans(dims: readonly number[]): { fanIn: number; fanOut: number } {
  if (dims.length === 0) return { fanIn: 1, fanOut: 1 };
  if (dims.length === 1) return { fanIn: dims[0]!, fanOut: dims[0]! };
  const rf = dims.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: dims[1]! * rf, fanOut: dims[0]! * rf };
}

/** Reads an init argument by name or position as a number. */
function arg(p: IrParam, name: string, pos: number, dflt: number): number {
  const v = p.init?.args[name] ?? p.init?.positional[pos];
  if (v === undefined || v === null) return dflt;
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new WeightsError(`parameter ${p.path}: init argument '${name}' is not a number`);
}

function fanFor(p: IrParam, dims: readonly number[]): number {
  const m = p.init?.args["mode"];
  const { fanIn, fanOut } = fans(dims);
  return m === "fan_out" ? fanOut : fanIn;
}

/** Writes the next `count` values of a parameter's stream into out[0..count). */
type Filler = (out: Values, count: number) => void;

function initFiller(p: IrParam, dims: readonly number[], seed: number): Filler {
  // An EMA teacher starts as an exact copy of its student, as the official code copies it:
  // the same stream, by the student's path.
  const m = new Mulberry32(streamSeed(seed, p.ema?.source ?? p.path));
  const gauss = new Gauss(m);
  const each = (f: () => number): Filler => (out, count) => {
    for (let i = 0; i < count; i++) out[i] = f();
  };
  const constant = (v: number): Filler => (out, count) => void out.fill(v, 0, count);
  const uniform = (lo: number, hi: number): Filler => (out, count) => m.uniform(out, count, lo, hi);
  const normal = (mean: number, std: number): Filler => (out, count) => gauss.fill(out, count, mean, std);
  const leaf = p.path.slice(p.path.lastIndexOf(".") + 1);
  let name = p.init?.name ?? "default";
  const isFloat = p.dtype.startsWith("float") || p.dtype === "bfloat16";
  if (name === "default") name = dims.length >= 2 ? "kaiming_uniform" : ["weight", "scale", "gamma"].includes(leaf) ? "ones" : "zeros";
  // Integer tensors (ids, counters) take the deterministic initializers; a random one is 0.
  if (!isFloat && !["ones", "const", "arange", "triu", "geometric", "relative_index"].includes(name)) return constant(0);
  switch (name) {
    case "zeros": return constant(0);
    case "ones": return constant(1);
    case "const": return constant(arg(p, "value", 0, 0));
    case "normal": return normal(arg(p, "mean", 0, 0), arg(p, "std", 1, 1));
    case "trunc_normal": {
      const std = arg(p, "std", 0, 1), mean = arg(p, "mean", 1, 0), a = arg(p, "a", 2, -2), b = arg(p, "b", 3, 2);
      return each(() => {
        for (let k = 0; k < 100; k++) {
          const x = mean + std * gauss.next();
          if (x >= a && x <= b) return x;
        }
        return Math.min(Math.max(mean, a), b);
      });
    }
    case "uniform": return uniform(arg(p, "low", 0, 0), arg(p, "high", 1, 1));
    case "xavier_uniform": {
      const { fanIn, fanOut } = fans(dims);
      const bound = arg(p, "gain", 0, 1) * Math.sqrt(6 / (fanIn + fanOut));
      return uniform(-bound, bound);
    }
    case "xavier_normal": {
      const { fanIn, fanOut } = fans(dims);
      return normal(0, arg(p, "gain", 0, 1) * Math.sqrt(2 / (fanIn + fanOut)));
    }
    case "kaiming_uniform": {
      const a = arg(p, "a", 0, Math.sqrt(5));
      const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fanFor(p, dims));
      return uniform(-bound, bound);
    }
    case "kaiming_normal": {
      const a = arg(p, "a", 0, 0);
      return normal(0, Math.sqrt(2 / (1 + a * a)) / Math.sqrt(fanFor(p, dims)));
    }
    case "triu": { // value where column - row >= k in the last two dims, else 0 (causal masks)
      const value = arg(p, "value", 0, 1), k = arg(p, "k", 1, 0);
      const cols = dims[dims.length - 1] ?? 1, rows = dims[dims.length - 2] ?? 1;
      let i = 0;
      return each(() => {
        const at = i++, c = at % cols, r = Math.floor(at / cols) % rows;
        return c - r >= k ? value : 0;
      });
    }
    case "arange": { // start + step * i in flat order: position ids
      const start = arg(p, "start", 0, 0), step = arg(p, "step", 1, 1);
      let i = 0; // the stream continues across chunks
      return each(() => start + step * i++);
    }
    case "geometric": { // start * ratio ** i in flat order: rotary inverse frequencies
      const ratio = arg(p, "ratio", 0, 1), start = arg(p, "start", 1, 1);
      let i = 0; // the stream continues across chunks
      return each(() => start * ratio ** i++);
    }
    case "sinusoid": { // fixed sinusoidal positions over the last two dims [positions, channels]
      // channel j of position t: sin(t / base ** (2 (j // 2) / d)) for even j, cos for odd j
      // (Transformer positions: Time-Series-Library's PositionalEmbedding, VideoMAE's table),
      // in double precision, then rounded to the dtype.
      const base = arg(p, "base", 0, 10000);
      const d = dims[dims.length - 1] ?? 1, rows = dims[dims.length - 2] ?? 1;
      let i = 0; // the stream continues across chunks
      return each(() => {
        const at = i++, j = at % d, t = Math.floor(at / d) % rows;
        const angle = t / base ** ((2 * Math.floor(j / 2)) / d);
        return j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      });
    }
    case "relative_index": { // a window's pairwise offsets as rows of a relative-bias table
      const window = (p.init?.positional ?? []).map((v) => (typeof v === "number" ? v : 1));
      const size = window.reduce((a, b) => a * b, 1);
      const coords = (i: number): number[] => {
        const c = new Array<number>(window.length);
        for (let k = window.length - 1; k >= 0; k--) (c[k] = i % window[k]!, i = Math.floor(i / window[k]!));
        return c;
      };
      let i = 0; // the stream continues across chunks
      return each(() => {
        const at = i++, a = coords(Math.floor(at / size) % size), b = coords(at % size);
        let v = 0;
        for (let k = 0; k < window.length; k++) v = v * (2 * window[k]! - 1) + (a[k]! - b[k]! + window[k]! - 1);
        return v;
      });
    }
    default:
      throw new WeightsError(`parameter ${p.path}: unknown initializer '${name}'`);
  }
}
