// The WebGPU plan against onnxruntime-node's WebGPU execution provider, on one device: tiny
// CLIP (every output and the loss) and CLIP ViT-B/32's image tower at full size (the
// image_embeds output alone), B = 1, random weights (seed 0, the same in both) and inputs.
// Runs alternate (plan, ORT WebGPU, ORT CPU) after a warm-up; we print the median of each,
// the ratio plan/ORT (< 1.0: the plan is faster), how far the outputs agree, and the plan's
// arena against its lower bound and against one buffer per tensor. ORT CPU is a reference.
//
// Without a GPU both WebGPU runtimes use SwiftShader (compiler/cli/gpu.ts sets
// VK_ICD_FILENAMES when no adapter is found; onnxruntime reads the same variable).
// Run: npm run bench:webgpu [-- --runs N] [-- --only tiny|vit]
import { compileToWebGpu } from "../compiler/driver/compile.js";
import * as ort from "onnxruntime-node";
import { attachWeights, emitOnnx, encodeModel, tensorProtoRaw, weightBytes } from "../compiler/backends/onnx/index.js";
import type { CheckedModel } from "../compiler/check/check-model.js";
import { bytes } from "../compiler/cli/write.js";
import { dawnDevice } from "../compiler/cli/gpu.js";
import { Session } from "../compiler/driver/session.js";
import { buildIrModel } from "../compiler/driver/ir-model.js";
import { randomInputs, type RandomInput } from "../compiler/tools/inputs.js";
import { PlanRunner } from "../runtime/runtime.js";
import { median } from "./timing.js";

interface Case {
  readonly label: string;
  readonly model: string;
  readonly outputs?: readonly string[];
  readonly runs: number;
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runsFlag = arg("runs") !== undefined ? Number(arg("runs")) : undefined;
const only = arg("only");
const CASES: readonly Case[] = [
  { label: "tiny", model: "CLIP_ViT_B32_Tiny", runs: runsFlag ?? 20 },
  { label: "vit", model: "CLIP_ViT_B32", outputs: ["image_embeds"], runs: runsFlag ?? 5 },
].filter((c) => only === undefined || c.label === only);

const WEIGHTS = { random: 0 } as const;
const session = new Session();
const program = session.stdlib();

function checked(name: string): CheckedModel & { sources: ReadonlyMap<string, string> } {
  const ref = session.models(program).find((m) => m.name === name);
  const r = ref && session.compile(ref, program);
  if (!r?.checked) throw new Error(`${name} does not compile`);
  return { ...r.checked, sources: r.sources };
}

/** The ONNX file for the same selection (compileToOnnx takes a task, not outputs). */
function onnxBytes(c: CheckedModel & { sources: ReadonlyMap<string, string> }, outputs: readonly string[] | undefined): Uint8Array {
  const e = emitOnnx(buildIrModel(c, c.sources, outputs ? { outputs, losses: [] } : {}), { opset: 17, weights: WEIGHTS });
  return encodeModel(attachWeights(e.model, e.weights.map((w) => tensorProtoRaw(w.name, w.dtype, w.dims, weightBytes(w.param, WEIGHTS)))));
}

function feeds(inputs: readonly RandomInput[]): Record<string, ort.Tensor> {
  return Object.fromEntries(inputs.map((x) => [x.name, new ort.Tensor(x.dtype === "bool" ? "bool" : x.dtype === "int64" ? "int64" : "float32", x.data, x.dims)]));
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

/** Progress on stderr: on SwiftShader the full-size model takes minutes per phase. */
const step = (what: string): void => void process.stderr.write(`  ... ${what}\n`);

const fmt = (t: number): string => `${t.toFixed(t < 10 ? 2 : 1).padStart(8)} ms`;

for (const c of CASES) {
  const model = checked(c.model);
  const bind = new Map([["B", 1]]);
  let t0 = performance.now();
  const plan = compileToWebGpu(model, { bind, weights: WEIGHTS, ...(c.outputs ? { outputs: c.outputs } : {}) });
  const tCompile = performance.now() - t0;
  const onnx = onnxBytes(model, c.outputs);
  const inputs = randomInputs(plan.ir, bind, 0);
  const gpuInputs = Object.fromEntries(inputs.map((x) => [x.name, x.data]));

  step(`${c.model}: compiled in ${tCompile.toFixed(0)} ms; creating the plan's pipelines`);
  const { device, adapter } = await dawnDevice(plan.plan);
  t0 = performance.now();
  const runner = await PlanRunner.create(device, plan.plan, plan.weights);
  const tLoad = performance.now() - t0;
  step(`plan loaded in ${tLoad.toFixed(0)} ms; creating onnxruntime sessions`);
  const ortGpu = await ort.InferenceSession.create(onnx, { executionProviders: ["webgpu"], logSeverityLevel: 3 });
  const ortCpu = await ort.InferenceSession.create(onnx, { executionProviders: ["cpu"], logSeverityLevel: 3 });

  step("warm-up");
  // Warm-up (pipelines, ORT's kernel caches), and the outputs compared.
  const mine = await runner.run(gpuInputs);
  const theirs = await ortGpu.run(feeds(inputs));
  let err = 0;
  for (const o of plan.plan.outputs) {
    const a = mine[o.name]!.data, b = theirs[o.name]!.data as Float32Array;
    let d = 0, m = 0;
    for (let i = 0; i < b.length; i++) {
      d = Math.max(d, Math.abs(Number(a[i]) - Number(b[i])));
      m = Math.max(m, Math.abs(Number(b[i])));
    }
    err = Math.max(err, d / Math.max(m, 1e-30));
  }
  await ortCpu.run(feeds(inputs));

  const tPlan: number[] = [], tOrt: number[] = [], tCpu: number[] = [];
  for (let i = 0; i < c.runs; i++) {
    step(`run ${i + 1} of ${c.runs}`);
    tPlan.push(await timed(() => runner.run(gpuInputs)));
    tOrt.push(await timed(() => ortGpu.run(feeds(inputs))));
    tCpu.push(await timed(() => ortCpu.run(feeds(inputs))));
  }
  const mem = plan.plan.memory;
  const [p, g, u] = [median(tPlan), median(tOrt), median(tCpu)];
  console.log(`${c.model}${c.outputs ? ` (${c.outputs.join(", ")})` : ""}, B=1, on ${adapter}: ${plan.plan.dispatches.length} dispatches, ` +
    `${plan.plan.kernels.length} kernels, weights ${bytes(plan.plan.weightsSize)}; compile ${tCompile.toFixed(0)} ms, load ${tLoad.toFixed(0)} ms`);
  console.log(`  plan (Dawn)          ${fmt(p)}   (median of ${c.runs}, alternating, after a warm-up)`);
  console.log(`  onnxruntime WebGPU   ${fmt(g)}`);
  console.log(`  ratio plan/ORT       ${(p / g).toFixed(2).padStart(8)}     (< 1.0: the plan is faster)`);
  console.log(`  onnxruntime CPU      ${fmt(u)}   (reference)`);
  console.log(`  outputs agree        ${err.toExponential(1).padStart(8)}     (max |plan - ORT| / max |ORT|)`);
  console.log(`  arena ${bytes(mem.peak)}, lower bound ${bytes(mem.lowerBound)} (${(mem.peak / Math.max(1, mem.lowerBound)).toFixed(2)}x), ` +
    `naive ${bytes(mem.naive)} (${(mem.naive / Math.max(1, mem.peak)).toFixed(1)}x the arena), ${mem.inPlace} in place`);
  runner.destroy();
  device.destroy();
  await ortGpu.release();
  await ortCpu.release();
}
// Dawn and onnxruntime's WebGPU may keep the process alive.
process.exit(0);
