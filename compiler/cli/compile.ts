// `mm compile MODEL -o OUT`: the model as an ONNX file (compiler/backends/onnx/).
//
// Weights default to none (structure only: parameters are graph inputs with their shapes);
// `--weights zeros|random [--seed N]` writes initializers, streamed, with tensors above
// `--external-threshold` (or 1 MiB with `--external-data`) in `OUT.data`; external data
// is forced when the model file would pass 2 GiB. `--task ema_update` writes the EMA
// update graph of the model's teachers instead (compiler/backends/onnx/ema.ts). Output
// is atomic (temp files, fsync, rename) and deterministic. `--functions` writes each block
// instance as a call of an ONNX local function (compiler/backends/onnx/functions.ts).
// `--target webgpu|ts` goes to compile-webgpu.ts, `--target ir` (the IR as text) to compile-ir.ts.
import { emaUpdateModel, lowerToOnnx } from "../driver/compile.js";
import { basename } from "node:path";
import { EMA_TASK } from "../backends/onnx/ema.js";
import { MAX_OPSET, MIN_OPSET, type WeightsMode } from "../backends/onnx/index.js";
import { DEFAULT_EXTERNAL_THRESHOLD, writeOnnx, type WriteResult } from "../backends/onnx/write.js";
import { SelectionError } from "../driver/build-ir.js";
import { checkOutputFile, model, type Command, type CommandContext } from "./command.js";
import { EXIT, UsageError } from "./io.js";
import { GEMM, MODE, SEED, loadCheckedModel, oneModelArg } from "./target.js";
import { compileGpuTarget } from "./compile-webgpu.js";
import { compileIrTarget } from "./compile-ir.js";
import { bytes, isFsError } from "./write.js";
import { resolveWeights, weightsSpec, WEIGHT_OPTIONS, type WeightsSpec } from "./weights.js";
import { describeWeights } from "../ir/weights.js";
import type { CheckedModel } from "../check/check-model.js";


interface Settings {
  readonly out: string;
  readonly opset: number;
  readonly weights: WeightsSpec;
  readonly task?: string;
  readonly functions: boolean;
  readonly externalThreshold?: number;
}

/** An integer flag (the dispatcher checked its range against the option's spec). */
function int(ctx: CommandContext, flag: string): number | undefined {
  const v = ctx.flags[flag];
  return typeof v === "string" ? Number(v) : undefined;
}

function settings(ctx: CommandContext): Settings {
  if (ctx.flags.bind !== undefined) throw new UsageError("compile: --bind is for --target webgpu and ts (an ONNX file keeps its symbolic dims)");
  if (ctx.flags.gemm !== undefined) throw new UsageError("compile: --gemm is for --target webgpu and ts");
  const out = ctx.flags.output;
  if (typeof out !== "string" || out === "") throw new UsageError("compile: give the output file with -o OUT");
  checkOutputFile("compile", out);
  const opset = int(ctx, "opset") ?? MIN_OPSET;
  const weights = weightsSpec(ctx, "compile", "none");
  if (ctx.flags.dtype === "keep" && !("checkpoint" in weights)) throw new UsageError("compile: --dtype keep goes with --weights CKPT (a checkpoint's half-precision tensors)");
  const threshold = int(ctx, "external-threshold");
  const externalThreshold = threshold ?? (ctx.flags["external-data"] ? DEFAULT_EXTERNAL_THRESHOLD : undefined);
  const task = typeof ctx.flags.task === "string" ? ctx.flags.task : undefined;
  const functions = ctx.flags.functions === true;
  return { out, opset, weights, functions, ...(task !== undefined ? { task } : {}), ...(externalThreshold !== undefined ? { externalThreshold } : {}) };
}

export const compile: Command = {
  name: "compile",
  usage: "compile MODEL -o OUT [--target T] [--bind B=2]",
  summary: "compile a model to an ONNX file (structure only unless --weights), a WebGPU plan, TypeScript, or the IR as text",
  async: (flags) => flags.target === "ts",
  options: {
    model,
    output: { type: "string", short: "o", doc: "the .onnx file to write (-o; external data goes to OUT.data), or the folder for webgpu and ts" },
    target: { type: "string", doc: "onnx (default), webgpu (a plan folder: plan.json + weights.bin), ts (OUTDIR/<Model>.ts, plan/, <Model>.onnx), ir (the IR the backends read, as text)", choices: ["onnx", "webgpu", "ts", "ir"] },
    bind: { type: "string", multiple: true, doc: "webgpu, ts: values of the symbolic dims, B=2,T=16 (each needs one; repeatable)" },
    gemm: GEMM,
    opset: { type: "string", doc: `ONNX opset, ${MIN_OPSET} (default) to ${MAX_OPSET}`, int: [MIN_OPSET, MAX_OPSET] },
    weights: { type: "string", doc: "onnx: none (default: parameters are graph inputs), zeros, random, or a checkpoint (safetensors, torch.save zip, an index or a folder); webgpu, ts: random (default), zeros or a checkpoint" },
    ...WEIGHT_OPTIONS,
    dtype: { type: "string", doc: "onnx and webgpu, with a checkpoint: float32 (default: every tensor widened to the model's dtype) or keep (float16 and bfloat16 tensors stay so in the file: widened by a Cast in an ONNX graph, by the runtime as a plan loads)", choices: ["float32", "keep"] },
    seed: SEED,
    task: { type: "string", doc: `compile one task of the model; ${EMA_TASK}: the EMA teachers' update graph` },
    "external-data": { type: "boolean", doc: "tensors over 1 MiB go to OUT.data" },
    "external-threshold": { type: "string", doc: "tensors over BYTES go to OUT.data (implies --external-data)", int: [0, Number.MAX_SAFE_INTEGER] },
    functions: { type: "boolean", doc: "each block instance as a call of an ONNX local function (mm.blocks domain), shared by identical instances" },
    mode: MODE,
  },
  run(ctx) {
    const target = ctx.flags.target ?? "onnx";
    if (target === "webgpu" || target === "ts") return compileGpuTarget(ctx, target);
    if (target === "ir") return compileIrTarget(ctx);
    const s = settings(ctx);
    const checked = loadCheckedModel(ctx, oneModelArg(ctx, "compile"));
    if (!checked) return EXIT.diagnostics;
    const loaded = resolveWeights(ctx, checked, s.weights);
    if (loaded === undefined) return EXIT.diagnostics;
    try {
      return writeModel(ctx, s, checked, loaded.mode);
    } finally {
      loaded.close();
    }
  },
};

/** The ONNX file for a checked model with the given weights. */
function writeModel(ctx: CommandContext, s: Settings, checked: CheckedModel & { readonly sources: ReadonlyMap<string, string> }, weights: WeightsMode): number {
  const model = checked.model;

  const ema = s.task === EMA_TASK && !model.tasks.some((x) => x.name === EMA_TASK);
  let emitted;
  if (ema) {
    emitted = emaUpdateModel(checked, checked.sources, { opset: s.opset });
    if (!emitted) throw new UsageError(`compile: model '${model.name}' has no EMA teachers (a submodule = ema(...)), so there is no ${EMA_TASK} graph`);
  } else {
    try {
      emitted = lowerToOnnx(checked, checked.sources, { opset: s.opset, weights, ...(s.functions ? { functions: true } : {}), ...(s.task !== undefined ? { task: s.task } : {}) });
    } catch (e) {
      if (e instanceof SelectionError) throw new UsageError(`compile: ${e.message}`);
      throw e;
    }
  }

  const progress = ctx.io.tty && weights !== "none" && !ema ? progressBar(ctx) : undefined;
  let res: WriteResult;
  try {
    res = writeOnnx(s.out, emitted, {
      weights: ema ? "none" : weights,
      ...(s.externalThreshold !== undefined ? { externalThreshold: s.externalThreshold } : {}),
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } catch (e) {
    progress?.done();
    if (isFsError(e)) throw new UsageError(`compile: cannot write '${s.out}': ${e.message}`);
    throw e;
  }
  progress?.done();
  ctx.io.out(summary(res, emitted.nodeCount, ema ? "none" : weights));
  return EXIT.ok;
}

function summary(r: WriteResult, nodes: number, weights: WeightsMode): string {
  const what = weights === "none" ? "structure only" : `weights ${describeWeights(weights)}`;
  let line = `wrote ${r.path}: ${nodes.toLocaleString("en-US")} nodes, ${bytes(r.modelBytes)} (${what})`;
  if (r.dataPath) line += `; ${r.externalTensors} tensor(s), ${bytes(r.dataBytes)} in ${basename(r.dataPath)}${r.forced ? " (external data forced: the model would pass 2 GiB)" : ""}`;
  return line + "\n";
}

/** A `\r` progress line on stderr, redrawn at most every 100 ms. */
function progressBar(ctx: CommandContext): { update: (written: number, total: number) => void; done: () => void } {
  let last = 0, drawn = false;
  const draw = (written: number, total: number): void => {
    const f = total > 0 ? written / total : 1;
    const w = 30, fill = Math.round(f * w);
    ctx.io.err(`\rweights [${"#".repeat(fill)}${".".repeat(w - fill)}] ${(100 * f).toFixed(0).padStart(3)}%  ${bytes(written)} / ${bytes(total)}   `);
    drawn = true;
  };
  return {
    update(written, total) {
      const now = Date.now();
      if (now - last < 100 && written < total) return;
      last = now;
      draw(written, total);
    },
    done() {
      if (drawn) ctx.io.err("\n");
    },
  };
}
