// The ONNX backend's API. compileToOnnx does everything in memory; lowerToOnnx stops
// before parameter data, for callers that stream weights (external data) or want the IR;
// writeOnnx writes a lowered model to a file, streaming its weights.
//
//   const { checked, sources } = new Session().compile(ref, program);
//   const { bytes } = compileToOnnx(checked!, sources, { opset: 17, task: "pretrain", weights: { random: 0 } });
//   writeOnnx("clip.onnx", lowerToOnnx(checked!, sources, { weights: { random: 0 } }), { weights: { random: 0 }, externalThreshold: 1 << 20 });
import type { CheckedModel } from "../../check/check-model.js";
import { irFromChecked, type Selection } from "../../ir/from-checked.js";
import type { IrGraph } from "../../ir/ir.js";
import { DEFAULT_PIPELINE, runPasses } from "../../ir/passes/index.js";
import { attachWeights, emitOnnx, encodeModel, type EmittedModel } from "./emit.js";
import { tensorProtoRaw, type ModelProto } from "./proto.js";
import { weightBytes, type WeightsMode } from "../../ir/weights.js";

export interface OnnxOptions {
  /** 17 (default) to 23. */
  readonly opset?: number;
  /** A task of the model; default: every output and loss. */
  readonly task?: string;
  /** "none" (default: parameters are graph inputs), "zeros", or { random: seed }. */
  readonly weights?: WeightsMode;
  /** IR passes to run (default: dead-values, fold-constants, cse, dead-values). */
  readonly passes?: readonly string[];
  /** Doc-string paths are relative to this (default: the model file's project root). */
  readonly sourceRoot?: string;
  /** Block instances as calls of ONNX local functions in the mm.blocks domain. */
  readonly functions?: boolean;
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

export function lowerToOnnx(checked: CheckedModel, sources: ReadonlyMap<string, string>, options: OnnxOptions = {}): LoweredOnnx {
  const sel: Selection = options.task !== undefined ? { task: options.task } : {};
  const ir = runPasses(irFromChecked(checked, sel), options.passes ?? DEFAULT_PIPELINE);
  const emitted = emitOnnx(ir, checked.model, {
    opset: options.opset ?? 17, weights: options.weights ?? "none", sources,
    ...(options.sourceRoot !== undefined ? { sourceRoot: options.sourceRoot } : {}),
    ...(options.functions ? { functions: true } : {}),
  });
  return { ...emitted, ir };
}

export function compileToOnnx(checked: CheckedModel, sources: ReadonlyMap<string, string>, options: OnnxOptions = {}): OnnxResult {
  const mode = options.weights ?? "none";
  const lowered = lowerToOnnx(checked, sources, options);
  const model = mode === "none" ? lowered.model
    : attachWeights(lowered.model, lowered.weights.map((w) => tensorProtoRaw(w.name, w.dtype, w.dims, weightBytes(w.param, mode))));
  return { model, bytes: encodeModel(model), ir: lowered.ir, nodeCount: lowered.nodeCount };
}

// For streaming callers: emit, then attach (or externalize) each weight's bytes, encode.
export { attachWeights, emitOnnx, encodeModel, MAX_OPSET, MIN_OPSET, type EmittedModel, type WeightTensor } from "./emit.js";
export { LoweringError } from "./context.js";
export { tensorProtoRaw, type ModelProto, type TensorProto } from "./proto.js";
export { weightBytes, weightChunks, type WeightsMode } from "../../ir/weights.js";
// Files: streamed weights, external data, atomic and deterministic; the EMA update graph.
export { DEFAULT_EXTERNAL_THRESHOLD, EXTERNAL_ALIGNMENT, planExternal, writeOnnx, type WriteOptions, type WriteResult } from "./write.js";
export { EMA_TASK, emaTeachers, emaUpdateModel } from "./ema.js";
