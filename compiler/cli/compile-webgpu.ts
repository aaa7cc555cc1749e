// `mm compile MODEL --target webgpu -o plan/`: a plan folder (plan.json + weights.bin),
// specialised to --bind values for every symbolic dim. `--target ts -o OUTDIR/`: OUTDIR/
// <Model>.ts (typed bindings over the runtime), OUTDIR/plan/ and OUTDIR/<Model>.onnx (the
// same weights, for checking against onnxruntime).
//
// Weights default to random, seed 0 (a plan carries its weights, so `none` is refused).
// Output is atomic: everything is generated in a temporary folder, then renamed into place.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { compileToWebGpu, WebGpuError, writePlanDir, type WebGpuResult } from "../backends/webgpu/index.js";
import { lowerToOnnx } from "../backends/onnx/index.js";
import type { GemmVariant } from "../backends/webgpu/kernels/gemm.js";
import { writeOnnx } from "../backends/onnx/write.js";
import { describeWeights, type WeightsMode } from "../ir/weights.js";
import type { IrModel } from "../ir/model.js";
import { irModelFor, parseBind, renderBind, resolveBind } from "./bind.js";
import type { CommandContext } from "./command.js";
import { EXIT, UsageError, UserError } from "./io.js";
import { loadCheckedModel, oneModelArg } from "./target.js";
import { tempPathFor } from "../base/atomic.js";
import { bytes, isFsError } from "./write.js";
import { resolveWeights, weightsSpec, type WeightsSpec } from "./weights.js";

export type GpuWeights = Exclude<WeightsMode, "none">;

/** --weights/--seed for targets that need weights: random (seed 0) unless zeros or a checkpoint. */
export function gpuWeights(ctx: CommandContext, command: string, target: string): WeightsSpec {
  if (ctx.flags.weights === "none") throw new UsageError(`${command}: --weights none is not possible for ${target}: a plan carries its weights (weights.bin); use zeros, random (the default) or a checkpoint`);
  return weightsSpec(ctx, command, "random");
}

/** --seed (its range checked by the dispatcher against SEED). */
export function seedFlag(ctx: CommandContext): number | undefined {
  return typeof ctx.flags.seed === "string" ? Number(ctx.flags.seed) : undefined;
}

/** compileToWebGpu with the CLI's errors: a WebGpuError (an op or dtype the target lacks)
 *  exits 1. */
export function compilePlan(m: IrModel, bind: ReadonlyMap<string, number>, weights: GpuWeights, command: string,
  gemm: GemmVariant = "registers"): WebGpuResult {
  try {
    return compileToWebGpu(m.graph, { bind, weights, gemm });
  } catch (e) {
    if (e instanceof WebGpuError) throw new UserError(`${command}: ${e.message}`, EXIT.diagnostics);
    throw e;
  }
}

const ONLY_ONNX = ["opset", "functions", "external-data", "external-threshold"];

/** --gemm registers|tiled (checked against GEMM): the GEMM kernel products use (docs/webgpu.md). */
export function gemmFlag(ctx: CommandContext): GemmVariant {
  return ctx.flags.gemm === "tiled" ? "tiled" : "registers";
}

/** --target webgpu is synchronous; --target ts loads the TypeScript emitter (ts-morph, large)
 *  only when asked, so it is asynchronous (`compile` tells runCli by its `async` test). */
export function compileGpuTarget(ctx: CommandContext, target: "webgpu" | "ts"): number | Promise<number> {
  for (const f of ONLY_ONNX) if (ctx.flags[f] !== undefined) throw new UsageError(`compile: --${f} is for --target onnx`);
  if (ctx.flags.dtype !== undefined && target === "ts") throw new UsageError("compile: --dtype is for --target onnx and webgpu");
  const out = ctx.flags.output;
  if (typeof out !== "string" || out === "") throw new UsageError(`compile: give the output folder with -o ${target === "ts" ? "OUTDIR" : "PLAN_DIR"}`);
  const parent = dirname(resolve(out));
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new UsageError(`compile: cannot write '${out}': no folder '${dirname(out)}'`);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`compile: cannot write '${out}': it is a file, not a folder`);
  const spec = gpuWeights(ctx, "compile", `--target ${target}`);
  if (ctx.flags.dtype === "keep" && !("checkpoint" in spec)) throw new UsageError("compile: --dtype keep goes with --weights CKPT (a checkpoint's half-precision tensors)");
  const given = parseBind(ctx, "compile");
  const task = typeof ctx.flags.task === "string" ? ctx.flags.task : undefined;

  const checked = loadCheckedModel(ctx, oneModelArg(ctx, "compile"));
  if (!checked) return EXIT.diagnostics;
  const m = irModelFor(checked, task !== undefined ? { task } : {}, "compile"); // once for the plan and the ONNX file
  const { bind } = resolveBind(given, m.dims, "compile", false);
  const loaded = resolveWeights(ctx, checked, spec);
  if (loaded === undefined) return EXIT.diagnostics;
  const weights = loaded.mode as GpuWeights;
  let r: WebGpuResult;
  try {
    r = compilePlan(m, bind, weights, "compile", gemmFlag(ctx));
  } finally {
    if (target === "webgpu") loaded.close(); // the ts target writes an ONNX file too, below
  }
  const write = (f: () => void): number => {
    try {
      f();
    } catch (e) {
      if (isFsError(e)) throw new UsageError(`compile: cannot write '${out}': ${e.message}`);
      throw e;
    }
    ctx.io.out(planSummary(target === "webgpu" ? out : join(out, `${checked.model.name}.ts`), r, weights) + "\n");
    return EXIT.ok;
  };
  if (target === "webgpu") return write(() => writePlanDir(out, r));
  return import("../backends/webgpu/typescript.js")
    .then(({ emitTypeScript }) => write(() => writeTsDir(out, m, r, weights, emitTypeScript)))
    .finally(() => loaded.close());
}

type EmitTs = typeof import("../backends/webgpu/typescript.js").emitTypeScript;

/** OUTDIR/<Model>.ts, OUTDIR/plan/, OUTDIR/<Model>.onnx. A new OUTDIR appears whole (built
 *  beside it, renamed); in an existing one, each of the three is replaced by a rename once
 *  all are written, and anything else there is left alone. */
function writeTsDir(out: string, m: IrModel, r: WebGpuResult, weights: GpuWeights, emitTypeScript: EmitTs): void {
  const fresh = !existsSync(out);
  const tmp = fresh ? tempPathFor(out) : join(out, `.mm-ts.${process.pid}.tmp`);
  const name = m.name;
  const files = [`${name}.ts`, "plan", `${name}.onnx`];
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(join(tmp, files[0]!), emitTypeScript(r.plan, {
      runtimeImport: "mm-lang/runtime", nodeRuntimeImport: "mm-lang/runtime/node", planDir: "./plan", onnxFile: `./${name}.onnx`,
    }));
    writePlanDir(join(tmp, "plan"), r);
    writeOnnx(join(tmp, files[2]!), lowerToOnnx(m, { weights }), { weights });
    if (fresh) {
      renameSync(tmp, out);
      return;
    }
    for (const f of files) {
      // Extra files the ONNX writer may add (OUT.data for a model over 2 GiB) move too.
      const old = join(tmp, `${f}.old`);
      if (existsSync(join(out, f))) renameSync(join(out, f), old);
      renameSync(join(tmp, f), join(out, f));
      rmSync(old, { recursive: true, force: true });
    }
    for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(out, f));
    rmSync(tmp, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** One line: where, dispatches, kernels, arena vs its lower bound vs naive, weights, in-place. */
export function planSummary(path: string, r: WebGpuResult, weights: GpuWeights): string {
  const p = r.plan, m = p.memory;
  const w = describeWeights(weights);
  return `wrote ${path}: ${p.dispatches.length} dispatches, ${p.kernels.length} kernels; arena ${bytes(m.peak)} ` +
    `(lower bound ${bytes(m.lowerBound)}, naive ${bytes(m.naive)}), ${m.inPlace} in place; weights ${bytes(p.weightsSize)} (${w}); ` +
    `dims ${renderBind(new Map(Object.entries(p.bindings)))}`;
}
