// The WebGPU backend's API: the IR graph of a model (driver/ir-model.ts builds it) → a
// specialised graph → fusion → a schedule of kernels → a memory-planned plan, plus the bytes
// of weights.bin. driver/compile.ts has the same call on a checked model.
//
//   const r = compileToWebGpu(buildIrModel(checked, sources).graph, { bind: new Map([["B", 2]]), weights: { random: 0 } });
//   writePlanDir("plan/", r);             // plan.json + weights.bin, atomically
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeDirAtomic } from "../../base/atomic.js";
import type { IrGraph } from "../../ir/ir.js";
import type { Plan, WeightFill } from "../../../runtime/plan.js";
import { storedDType, weightBytes, type WeightsMode } from "../../ir/weights.js";
import type { DType } from "../../base/tensor.js";
import { buildPlan, type BuiltPlan } from "./build.js";
import { decompose } from "../../ir/passes/decompose.js";
import { verifyIr } from "../../ir/verify.js";
import { KERNEL_GENS, MAP_OPS } from "./kernels/registry.js";
import { fuse } from "./fuse.js";
import type { GemmVariant } from "./kernels/gemm.js";
import { gpuType, numelOf, specialize, type CGraph, type CTensor } from "./graph.js";
import { schedule } from "./schedule.js";

export interface WebGpuOptions {
  /** Values of the symbolic dims (the plan is specialised to them). */
  readonly bind: ReadonlyMap<string, number>;
  /** zeros, or { random: seed } (the same values the ONNX backend writes for the seed). */
  readonly weights: Exclude<WeightsMode, "none">;
  /** The GEMM kernel for products: "registers" (default: fastest on SwiftShader and
   *  CPU-like devices) or "tiled" (shared-memory tiles, the classic GPU kernel). */
  readonly gemm?: GemmVariant;
}

export interface WebGpuResult extends BuiltPlan {
  readonly ir: IrGraph;
  readonly graph: CGraph;
  /** weights.bin. */
  readonly weights: Uint8Array;
}

export function compileToWebGpu(ir: IrGraph, options: WebGpuOptions): WebGpuResult {
  // Composite ops without a kernel become primitives first (ir/passes/decompose.ts).
  const prim = decompose(ir, (op) => op in MAP_OPS || op in KERNEL_GENS);
  if (prim !== ir) verifyIr(prim, "decompose"); // unchanged: verified by the passes
  const graph = specialize(prim, options.bind);
  const fusion = fuse(graph);
  const built = buildPlan(graph, fusion, schedule(graph, fusion, options.gemm));
  const halves = built.weightLayout.some(({ tensor }) => storedAs(tensor, options.weights) !== tensor.dtype);
  if (halves) return { ...keepingHalves(built, options.weights), ir, graph };
  const weights = new Uint8Array(built.weightsSize);
  for (const { tensor, fileOffset } of built.weightLayout) weights.set(tensorBytes(tensor, options.weights), fileOffset);
  return { ...built, ir, graph, weights };
}

/** The dtype a tensor's bytes are written in: a checkpoint's half precision with keepHalf. */
function storedAs(t: CTensor, mode: Exclude<WeightsMode, "none">): DType {
  return t.kind === "param" ? storedDType(t.param!, mode) : t.dtype;
}

/** A version-2 plan whose weights.bin keeps half-precision tensors as stored (`--dtype keep`):
 *  each weights buffer lists its tensors as fills, and the runtime widens the halves at load
 *  (exactly). weights.bin holds the tensors one after another, each from a 4-byte boundary. */
function keepingHalves(built: BuiltPlan, mode: Exclude<WeightsMode, "none">): BuiltPlan & { weights: Uint8Array } {
  const fills = new Map<number, WeightFill[]>();
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const { tensor, fileOffset } of built.weightLayout) {
    const b = built.plan.buffers.findIndex((x) => x.kind === "weights" && fileOffset >= x.fileOffset! && fileOffset < x.fileOffset! + x.size);
    const stored = storedAs(tensor, mode);
    const half = stored === "float16" || stored === "bfloat16";
    const bytes = half ? weightBytes(tensor.param!, mode) : tensorBytes(tensor, mode);
    const size = half ? bytes.length * 2 : bytes.length;
    const list = fills.get(b) ?? [];
    list.push({ offset: fileOffset - built.plan.buffers[b]!.fileOffset!, size, fileOffset: at, ...(half ? { from: stored } : {}) });
    fills.set(b, list);
    parts.push(bytes);
    at += Math.ceil(bytes.length / 4) * 4;
  }
  const weights = new Uint8Array(at);
  let to = 0;
  for (const p of parts) (weights.set(p, to), (to += Math.ceil(p.length / 4) * 4));
  const buffers = built.plan.buffers.map((x, i) => (x.kind === "weights" ? { name: x.name, kind: x.kind, size: x.size, fills: fills.get(i) ?? [] } : x));
  return { ...built, plan: { ...built.plan, version: 2, buffers, weightsSize: at }, weightsSize: at, weights };
}

/** A parameter's or constant's values in its GPU type (int64 → i32, bool → u32). */
function tensorBytes(t: CTensor, mode: Exclude<WeightsMode, "none">): Uint8Array {
  const n = numelOf(t.shape);
  const type = gpuType(t.dtype);
  if (t.kind === "param") {
    const raw = weightBytes(t.param!, mode);
    if (t.dtype === "float32") return raw;
    const src = t.dtype === "int64" ? Array.from(new BigInt64Array(raw.buffer, raw.byteOffset, n), Number) : Array.from(raw);
    return encode(src, type);
  }
  const data = t.data!;
  return encode(data.length === n ? data : Array.from({ length: n }, () => data[0]!), type);
}

function encode(values: readonly number[], type: "f32" | "i32" | "u32"): Uint8Array {
  const arr = type === "f32" ? Float32Array.from(values) : type === "i32" ? Int32Array.from(values) : Uint32Array.from(values, (v) => (v ? 1 : 0));
  return new Uint8Array(arr.buffer);
}

/** Writes plan.json and weights.bin into `dir` atomically: a temporary folder beside it,
 *  then a rename (an existing plan folder is replaced only once the new one is complete). */
export function writePlanDir(dir: string, r: { readonly plan: Plan; readonly weights: Uint8Array }): void {
  writeDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, "plan.json"), `${JSON.stringify(r.plan, null, 1)}\n`);
    writeFileSync(join(tmp, "weights.bin"), r.weights);
  });
}

export { WebGpuError, symbolsToBind } from "./graph.js";
