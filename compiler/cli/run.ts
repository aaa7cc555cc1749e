// `mm run MODEL`: compile and run once with random weights and inputs (or `--inputs FILE`,
// run-files.ts), on a WebGPU plan (Dawn, the default) or in onnxruntime (CPU); print each
// output's name, shape, dtype and a checksum (runtime/runtime.ts `checksum`: sum/sum of |x|,
// 6 digits) in the same format for both backends, so their lines can be compared; `--save
// OUT` writes the outputs. `--bench` times N more runs after the first.
//
// Symbolic dims not given with --bind take small defaults (B, N, V = 2, others 3; see
// compiler/tools/inputs.ts). --seed seeds the weights (the ONNX backend's values for that
// seed) and the inputs. Exit 2 when there is no WebGPU adapter (see gpu.ts for the
// SwiftShader fallback), 1 when the webgpu target cannot compile or run the model.
import { compileToOnnx } from "../backends/onnx/index.js";
import type { IrGraph } from "../ir/ir.js";
import type { IrModel } from "../ir/model.js";
import { randomInputs, type RandomInput } from "../tools/inputs.js";
import type { EdgeDType } from "../../runtime/plan.js";
import { outputLine, PlanError, PlanRunner, type OutputTensor } from "../../runtime/runtime.js";
import { irModelFor, parseBind, renderBind, resolveBind } from "./bind.js";
import { model, type Command } from "./command.js";
import type { GemmVariant } from "../backends/webgpu/kernels/gemm.js";
import { compilePlan, gemmFlag, gpuWeights, seedFlag, type GpuWeights } from "./compile-webgpu.js";
import { resolveWeights, WEIGHT_OPTIONS } from "./weights.js";
import { describeWeights } from "../ir/weights.js";
import { dawnDevice, GpuUnavailable } from "./gpu.js";
import { EXIT, UsageError, UserError } from "./io.js";
import { GEMM, MODE, SEED, loadCheckedModel, oneModelArg } from "./target.js";
import { loadInputs, runFiles, saveOutputs, type FileInputs } from "./run-files.js";

const BACKENDS = ["webgpu", "onnxruntime"] as const;
type Backend = (typeof BACKENDS)[number];

interface Runner {
  /** Where it runs, in words. */
  readonly where: string;
  readonly ir: IrGraph;
  /** What was set up for it (the environment Dawn was given), for --verbose. */
  readonly notes?: readonly string[];
  run(inputs: readonly RandomInput[]): Promise<OutputTensor[]>;
  close(): Promise<void>;
}

export const run: Command = {
  name: "run",
  usage: "run MODEL [--backend B] [--bind B=2] [--inputs FILE [--random-missing]] [--save OUT] [--bench]",
  summary: "compile and run once with random weights and random inputs or --inputs FILE; print output shapes and checksums, --save them",
  async: true,
  options: {
    mode: MODE,
    model,
    backend: { type: "string", doc: "webgpu (default: a plan on Dawn) or onnxruntime (the ONNX file on onnxruntime's CPU provider)", choices: BACKENDS },
    bind: { type: "string", multiple: true, doc: "values of symbolic dims, B=2,T=16 (default: B, N, V = 2, others 3)" },
    gemm: { ...GEMM, doc: "webgpu: the product kernel, registers (default) or tiled (shared-memory tiles)" },
    inputs: { type: "string", doc: "random (default), or FILE: .npy (a one-input model), .npz or JSON ({\"name\": nested arrays}) with an array per input; its shapes bind dims --bind leaves open" },
    "random-missing": { type: "boolean", doc: "with --inputs FILE: inputs the file lacks are random (seeded by --seed) instead of an error (MM8003)" },
    save: { type: "string", doc: "write the outputs to OUT: .npz (numpy) or .json (an object of nested arrays, which --inputs reads)" },
    weights: { type: "string", doc: "random (default), zeros, or a checkpoint (safetensors, torch.save zip, an index or a folder)" },
    ...WEIGHT_OPTIONS,
    seed: { ...SEED, doc: "seed for the random weights and inputs (default 0)" },
    task: { type: "string", doc: "run one task of the model" },
    bench: { type: "boolean", doc: "also time runs: median and min wall time of --runs runs after the first" },
    runs: { type: "string", doc: "runs to time with --bench (default 10)", int: [1, 100_000] },
    verbose: { type: "boolean", doc: "webgpu: also show what Dawn and the Vulkan libraries print themselves (hidden by default), and the driver settings mm made" },
  },
  async run(ctx) {
    const backend = (ctx.flags.backend ?? "webgpu") as Backend;
    if (ctx.flags.runs !== undefined && !ctx.flags.bench) throw new UsageError("run: --runs goes with --bench");
    const runs = Number(ctx.flags.runs ?? 10);
    const spec = gpuWeights(ctx, "run", "mm run");
    const seed = "mode" in spec && typeof spec.mode === "object" && "random" in spec.mode ? spec.mode.random : seedFlag(ctx) ?? 0;
    const given = parseBind(ctx, "run");
    const task = typeof ctx.flags.task === "string" ? ctx.flags.task : undefined;
    const files = runFiles(ctx);

    const checked = loadCheckedModel(ctx, oneModelArg(ctx, "run"));
    if (!checked) return EXIT.diagnostics;
    const m = irModelFor(checked, task !== undefined ? { task } : {}, "run"); // once, for either backend
    let fromFile: FileInputs | undefined;
    if (files.inputs !== undefined) {
      fromFile = loadInputs(ctx, files.inputs, m, checked.model.name, given, files.randomMissing);
      if (fromFile === undefined) return EXIT.diagnostics;
    }
    const { bind, defaulted } = fromFile ?? resolveBind(given, m.dims, "run", true);
    const gemm = gemmFlag(ctx);
    const loaded = resolveWeights(ctx, checked, spec);
    if (loaded === undefined) return EXIT.diagnostics;
    const weights = loaded.mode as GpuWeights;
    let runner: Runner;
    try {
      runner = backend === "webgpu" ? await gpuRunner(m, bind, weights, gemm, ctx.flags.verbose === true) : await ortRunner(m, weights);
      if (ctx.flags.verbose) for (const n of runner.notes ?? []) ctx.io.err(`mm: run: ${n}\n`);
    } finally {
      loaded.close(); // the weights are on the device or in the session now
    }
    try {
      // Random values for every input first, so that those the file lacks are a random run's.
      const random = randomInputs(runner.ir, bind, seed);
      const inputs = fromFile ? random.map((r) => fromFile.values.get(r.name) ?? r) : random;
      const outputs = await guard(runner.run(inputs));
      const w = describeWeights(weights);
      const nRandom = fromFile ? inputs.filter((x, k) => x === random[k]).length : 0;
      const src = !fromFile ? `random, seed ${seed}` : `${files.inputs}${nRandom ? ` (${nRandom} random, seed ${seed})` : ""}`;
      ctx.io.out(`${checked.model.name}${task !== undefined ? ` (task ${task})` : ""} on ${runner.where}: ${renderBind(bind, defaulted, fromFile?.from)}; weights ${w}; inputs ${src}\n`);
      for (const o of outputs) ctx.io.out(outputLine(o) + "\n");
      if (files.save !== undefined) ctx.io.out(saveOutputs(files.save, outputs));
      if (ctx.flags.bench) {
        const ts: number[] = [];
        for (let i = 0; i < runs; i++) {
          const t0 = performance.now();
          await runner.run(inputs);
          ts.push(performance.now() - t0);
        }
        const sorted = [...ts].sort((a, b) => a - b);
        ctx.io.out(`time: median ${ms(sorted[Math.floor(runs / 2)]!)}, min ${ms(sorted[0]!)} over ${runs} run(s) after a warm-up\n`);
      }
      return EXIT.ok;
    } finally {
      await runner.close();
    }
  },
};

function ms(t: number): string {
  return `${t.toFixed(t < 10 ? 2 : 1)} ms`;
}

/** PlanErrors (device limits, a kernel the driver rejects) are clean errors, exit 1. */
async function guard<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof PlanError) throw new UserError(`run: ${e.message}`, e.code === "limits" ? EXIT.usage : EXIT.diagnostics);
    if (e instanceof GpuUnavailable) throw new UserError(`run: ${e.message}`, EXIT.usage);
    throw e;
  }
}

async function gpuRunner(m: IrModel, bind: ReadonlyMap<string, number>, weights: GpuWeights, gemm: GemmVariant, verbose: boolean): Promise<Runner> {
  const r = compilePlan(m, bind, weights, "run", gemm);
  const { device, adapter, notes } = await guard(dawnDevice(r.plan, verbose));
  let runner: PlanRunner;
  try {
    runner = await guard(PlanRunner.create(device, r.plan, r.weights));
  } catch (e) {
    device.destroy();
    throw e;
  }
  return {
    where: `webgpu (${adapter})`,
    ir: r.ir,
    notes,
    run: async (inputs) => {
      const out = await runner.run(Object.fromEntries(inputs.map((x) => [x.name, x.data])));
      return r.plan.outputs.map((o) => out[o.name]!);
    },
    close: async () => {
      runner.destroy();
      device.destroy();
    },
  };
}

async function ortRunner(m: IrModel, weights: GpuWeights): Promise<Runner> {
  let ort: typeof import("onnxruntime-node");
  try {
    ort = await import("onnxruntime-node");
  } catch (e) {
    throw new UserError(`run: onnxruntime-node does not load here: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`, EXIT.usage);
  }
  const onnx = compileToOnnx(m, { weights });
  const sess = await ort.InferenceSession.create(onnx.bytes, { logSeverityLevel: 3 });
  return {
    where: "onnxruntime (cpu)",
    ir: onnx.ir,
    run: async (inputs) => {
      const feeds = Object.fromEntries(inputs.map((x) => [x.name, new ort.Tensor(x.dtype === "bool" ? "bool" : x.dtype === "int64" ? "int64" : "float32", x.data, x.dims)]));
      const out = await sess.run(feeds);
      return onnx.ir.outputs.map((o) => fromOrt(o.name, out[o.name]!));
    },
    close: () => sess.release(),
  };
}

/** An onnxruntime tensor in the runtime's OutputTensor form (int64 → Int32Array, as on the GPU). */
function fromOrt(name: string, t: { readonly type: string; readonly dims: readonly number[]; readonly data: unknown }): OutputTensor {
  const dtype = (t.type === "float32" || t.type === "int64" || t.type === "int32" || t.type === "bool" ? t.type : "float32") as EdgeDType;
  const src = t.data as ArrayLike<number | bigint>;
  const data = dtype === "float32" ? Float32Array.from(src as ArrayLike<number>)
    : dtype === "bool" ? Uint8Array.from(src as ArrayLike<number>) : Int32Array.from(src, (v) => Number(v));
  return { name, shape: [...t.dims], dtype, data };
}
