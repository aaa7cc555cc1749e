// The ONNX backend's API, on the IR model (ir/model.ts, built by driver/ir-model.ts).
// compileToOnnx does everything in memory; lowerToOnnx stops before parameter data, for
// callers that stream weights (external data); writeOnnx writes a lowered model to a file,
// streaming its weights. driver/compile.ts has the same calls on a checked model.
//
//   const m = buildIrModel(checked, sources, { task: "pretrain" });
//   const { bytes } = compileToOnnx(m, { opset: 17, weights: { random: 0 } });
//   writeOnnx("clip.onnx", lowerToOnnx(m, { weights: { random: 0 } }), { weights: { random: 0 }, externalThreshold: 1 << 20 });
import type { IrGraph } from "../../ir/ir.js";
import type { IrModel } from "../../ir/model.js";
import { attachWeights, emitOnnx, encodeModel, type EmittedModel } from "./emit.js";
import { tensorProtoRaw, type ModelProto } from "./proto.js";
import { weightBytes, type WeightsMode } from "../../ir/weights.js";

export interface OnnxOptions {
  /** 17 (default) to 23. */
  readonly opset?: number;
  /** "none" (default: parameters are graph inputs), "zeros", or { random: seed }. */
  readonly weights?: WeightsMode;
  /** Block instances as calls of ONNX local functions in the mm.blocks domain. */
  readonly functions?: boolean;
  /** The graph's nodes as objects, not encoded as they are made (emit.ts). */
  readonly objects?: boolean;
}

export interface LoweredOnnx extends EmittedModel {
  readonly ir: IrGraph;
}

export interface OnnxResult {
  readonly model: ModelProto;
  readonly bytes: Uint8Array;
  readonly ir: IrGraph;
  readonly nodeCount: number;
}

export function lowerToOnnx(model: IrModel, options: OnnxOptions = {}): LoweredOnnx {
  const emitted = emitOnnx(model, {
    opset: options.opset ?? 17, weights: options.weights ?? "none", ...(options.functions ? { functions: true } : {}), ...(options.objects ? { objects: true } : {}),
  });
  return { ...emitted, ir: model.graph };
}

export function compileToOnnx(ir: IrModel, options: OnnxOptions = {}): OnnxResult {
  const mode = options.weights ?? "none";
  const lowered = lowerToOnnx(ir, options);
  const model = mode === "none" ? lowered.model
    : attachWeights(lowered.model, lowered.weights.map((w) => tensorProtoRaw(w.name, w.dtype, w.dims, weightBytes(w.param, mode))));
  return { model, bytes: encodeModel(model), ir: lowered.ir, nodeCount: lowered.nodeCount };
}

// For streaming callers: emit, then attach (or externalize) each weight's bytes, encode.
export { attachWeights, emitOnnx, encodeModel, MAX_OPSET, MIN_OPSET, type EmittedModel, type WeightTensor } from "./emit.js";
export { LoweringError } from "./context.js";
export { onnx, tensorProtoRaw, type ModelProto, type TensorProto } from "./proto.js";
export { weightBytes, weightChunks, type WeightsMode } from "../../ir/weights.js";
// Files: streamed weights, external data, atomic and deterministic; the EMA update graph.
export { DEFAULT_EXTERNAL_THRESHOLD, EXTERNAL_ALIGNMENT, planExternal, writeOnnx, type WriteOptions, type WriteResult } from "./write.js";
export { EMA_TASK, emaTeachers, emaUpdateModel } from "./ema.js";
