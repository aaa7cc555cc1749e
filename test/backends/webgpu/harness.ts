// Shared harness for the WebGPU backend tests: compile a checked model to ONNX and to a
// WebGPU plan with the same weight seed, run both on the same seeded inputs (onnxruntime
// CPU and Dawn), and compare every output. Dawn runs on SwiftShader without a GPU
// (vitest.config.ts points Vulkan at Chromium's copy when it is installed).
import { compileToOnnx, compileToWebGpu } from "../../../compiler/driver/compile.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import type { CheckedModel } from "../../../compiler/check/check-model.js";
import { type WebGpuResult } from "../../../compiler/backends/webgpu/index.js";
import { Session } from "../../../compiler/driver/session.js";
import { PlanRunner, type TensorData } from "../../../runtime/runtime.js";
import { randomInputs, type RandomInput } from "../../../compiler/tools/inputs.js";

const SWIFTSHADER = "/usr/lib/chromium/vk_swiftshader_icd.json";

export interface CompiledModel {
  readonly checked: CheckedModel;
  readonly sources: ReadonlyMap<string, string>;
}

/** Every model of a program text (written to a temp project), checked; errors throw. */
export function compileProgram(text: string): Map<string, CompiledModel> {
  const root = mkdtempSync(join(tmpdir(), "mm-webgpu-"));
  writeFileSync(join(root, "package.json"), "{}\n");
  writeFileSync(join(root, "main.mm"), text);
  const session = new Session();
  const program = session.load([join(root, "main.mm")]);
  const out = new Map<string, CompiledModel>();
  for (const ref of session.models(program)) {
    const r = session.compile(ref, program);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (!r.checked || errors.length) throw new Error(`${ref.name}: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
    out.set(ref.name, { checked: r.checked, sources: r.sources });
  }
  return out;
}

/** Whether Dawn finds an adapter (it probes once; the device is then reused). */
export async function dawnAvailable(): Promise<boolean> {
  try {
    await sharedDevice();
    return true;
  } catch {
    return false;
  }
}

/** True when the Dawn tests should run: warns loudly when skipping; under CI=true they run
 *  (and fail) even without an adapter. */
export async function dawnOrSkip(what: string): Promise<boolean> {
  if (await dawnAvailable()) return true;
  if (process.env.CI === "true") return true;
  console.warn(`SKIPPING ${what}: Dawn found no WebGPU adapter. Without a GPU install chromium (SwiftShader) and set ` +
    `VK_ICD_FILENAMES=${SWIFTSHADER} before vitest starts (worker threads cannot set it for the Vulkan loader); ` +
    "it fails instead when CI=true");
  return false;
}

let device: Promise<GPUDevice> | undefined;

/** One Dawn device for the whole test process (creating devices is slow), with the
 *  adapter's largest buffer limits so any plan that fits the adapter runs on it. */
export function sharedDevice(): Promise<GPUDevice> {
  device ??= (async () => {
    // vitest.config.ts points Vulkan at SwiftShader before the worker threads start (in a
    // worker, process.env is a copy the Vulkan loader never sees).
    const { nodeAdapter } = await import("../../../runtime/node.js");
    const adapter = await nodeAdapter();
    const l = adapter.limits;
    return adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize,
        maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      },
    });
  })();
  return device;
}

export interface OutputDiff {
  readonly name: string;
  readonly shape: readonly number[];
  /** Largest |webgpu - ort| (Infinity on a NaN mismatch or a shape mismatch). */
  readonly maxAbsDiff: number;
  /** Largest |ort|. */
  readonly maxRef: number;
  readonly exact: boolean;
  readonly ok: boolean;
}

export interface CompareOptions {
  readonly bind: ReadonlyMap<string, number>;
  /** The weights seed (both targets). */
  readonly seed: number;
  readonly task?: string;
  /** The inputs seed (default 7). */
  readonly inputSeed?: number;
  /** Relative tolerance for float outputs: |d| <= tol * max(1, max|ort|). Default 1e-3. */
  readonly tol?: number;
  /** onnxruntime's graph optimisations (default "disabled": the reference is the ONNX
   *  graph's meaning; ORT 1.30's PadFusion folds a zero Pad into a following MaxPool,
   *  which changes results wherever a window holds only negative values). */
  readonly ortOptimization?: "disabled" | "basic" | "extended" | "all";
  /** The GEMM kernel variant (compileToWebGpu's `gemm`). */
  readonly gemm?: "registers" | "tiled";
}

export interface Comparison {
  readonly outputs: readonly OutputDiff[];
  readonly webgpu: WebGpuResult;
}

/** Runs a model on both targets and compares each output (ints and bools exactly). */
export async function compareWithOrt(checked: CheckedModel, sources: ReadonlyMap<string, string>, o: CompareOptions): Promise<Comparison> {
  const task = o.task !== undefined ? { task: o.task } : {};
  const onnx = compileToOnnx(checked, sources, { weights: { random: o.seed }, ...task });
  const webgpu = compileToWebGpu(checked, { bind: o.bind, weights: { random: o.seed }, ...task, ...(o.gemm ? { gemm: o.gemm } : {}) });
  const inputs = randomInputs(onnx.ir, o.bind, o.inputSeed ?? 7);
  const ref = await runOrt(onnx.bytes, inputs, o.ortOptimization ?? "disabled");
  const got = await runPlan(webgpu, inputs);
  const tol = o.tol ?? 1e-3;
  const outputs = webgpu.plan.outputs.map((p): OutputDiff => {
    const r = ref.get(p.name), g = got[p.name];
    const exact = p.dtype !== "float32";
    if (!r || !g || r.data.length !== g.data.length || r.dims.join() !== p.shape.join()) {
      return { name: p.name, shape: p.shape, maxAbsDiff: Infinity, maxRef: 0, exact, ok: false };
    }
    let maxAbsDiff = 0, maxRef = 0;
    for (let i = 0; i < r.data.length; i++) {
      const a = Number(g.data[i]), b = r.data[i]!;
      if (Number.isNaN(a) || Number.isNaN(b)) {
        if (Number.isNaN(a) !== Number.isNaN(b)) maxAbsDiff = Infinity;
        continue;
      }
      if (Number.isFinite(b)) maxRef = Math.max(maxRef, Math.abs(b));
      maxAbsDiff = Math.max(maxAbsDiff, a === b ? 0 : Math.abs(a - b));
    }
    const ok = exact ? maxAbsDiff === 0 : maxAbsDiff <= tol * Math.max(1, maxRef);
    return { name: p.name, shape: p.shape, maxAbsDiff, maxRef, exact, ok };
  });
  return { outputs, webgpu };
}

/** One onnxruntime CPU session, one run; outputs as float64 arrays. */
export async function runOrt(bytes: Uint8Array, inputs: readonly RandomInput[],
  graphOptimizationLevel: "disabled" | "basic" | "extended" | "all" = "disabled"): Promise<Map<string, { dims: readonly number[]; data: Float64Array }>> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const x of inputs) feeds[x.name] = new ort.Tensor(x.dtype === "bool" ? "bool" : x.dtype === "int64" ? "int64" : "float32", x.data, x.dims);
  const sess = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, graphOptimizationLevel });
  try {
    const out = await sess.run(feeds);
    const m = new Map<string, { dims: readonly number[]; data: Float64Array }>();
    for (const [k, v] of Object.entries(out)) m.set(k, { dims: v.dims, data: Float64Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x)) });
    return m;
  } finally {
    await sess.release();
  }
}

/** Runs a plan on the shared device; GPU validation errors throw. */
export async function runPlan(r: WebGpuResult, given: readonly RandomInput[]): Promise<Record<string, { data: ArrayLike<number> }>> {
  const dev = await sharedDevice();
  const runner = await PlanRunner.create(dev, r.plan, r.weights);
  try {
    const inputs: Record<string, TensorData> = {};
    for (const t of r.plan.inputs) inputs[t.name] = given.find((x) => x.name === t.name)!.data;
    dev.pushErrorScope("validation");
    const out = await runner.run(inputs);
    const err = await dev.popErrorScope();
    if (err) throw new Error(`GPU validation error: ${err.message}`);
    return out;
  } finally {
    runner.destroy();
  }
}

/** A second binding for a model's symbolic dims: every symbol one above its default (B 3,
 *  T 4, ...), so a plan is checked at shapes no default hides behind. */
export function shiftedBindings(b: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...b].map(([k, v]) => [k, v + 1]));
}

/** A one-line summary of failing outputs, for assertion messages. */
export function describeFailures(c: Comparison): string {
  return c.outputs.filter((o) => !o.ok).map((o) => `${o.name}: max|d| ${o.maxAbsDiff.toExponential(2)} (max|ref| ${o.maxRef.toExponential(2)})`).join("; ");
}
