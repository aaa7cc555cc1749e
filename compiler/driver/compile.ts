// The backends on a checked model: the IR model is built here, once per call, and handed to
// the backend, which reads nothing else. The CLI, the tests and the benches compile through
// these; a caller that compiles one model several ways builds the IR model once
// (buildIrModel) and calls the backends directly.
import type { CheckedModel } from "../check/check-model.js";
import * as onnx from "../backends/onnx/index.js";
import { emaUpdateModel as emaOfIr, type EmaOptions } from "../backends/onnx/ema.js";
import * as webgpu from "../backends/webgpu/index.js";
import type { EmittedModel } from "../backends/onnx/emit.js";
import { buildIrModel, type IrModelOptions } from "./ir-model.js";

export type OnnxCompileOptions = onnx.OnnxOptions & Pick<IrModelOptions, "task" | "passes" | "sourceRoot">;

// The ONNX backend verifies the graph it lowers (after its decompositions), so the passes'
// result is not verified twice.
export function lowerToOnnx(checked: CheckedModel, sources: ReadonlyMap<string, string>, options: OnnxCompileOptions = {}): onnx.LoweredOnnx {
  return onnx.lowerToOnnx(buildIrModel(checked, sources, { ...options, verify: false }), options);
}

export function compileToOnnx(checked: CheckedModel, sources: ReadonlyMap<string, string>, options: OnnxCompileOptions = {}): onnx.OnnxResult {
  return onnx.compileToOnnx(buildIrModel(checked, sources, { ...options, verify: false }), options);
}

/** The EMA update graph of a model's teachers (undefined without any). */
export function emaUpdateModel(checked: CheckedModel, sources: ReadonlyMap<string, string>, options: EmaOptions & Pick<IrModelOptions, "sourceRoot">): EmittedModel | undefined {
  return emaOfIr(buildIrModel(checked, sources, options), options);
}

export type WebGpuCompileOptions = webgpu.WebGpuOptions & {
  readonly task?: string;
  /** Without a task: only these outputs, no losses (one tower's embedding, say). */
  readonly outputs?: readonly string[];
};

export function compileToWebGpu(checked: CheckedModel, options: WebGpuCompileOptions): webgpu.WebGpuResult {
  const sel: IrModelOptions = options.task !== undefined ? { task: options.task } : options.outputs ? { outputs: options.outputs, losses: [] } : {};
  return webgpu.compileToWebGpu(buildIrModel(checked, new Map(), sel).graph, options);
}
