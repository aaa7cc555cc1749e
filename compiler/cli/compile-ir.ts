// `mm compile MODEL --target ir -o model.ir`: the IR model as text (ir/print.ts), what the
// backends receive for the task: for reading, diffing two versions of a model, and golden
// tests. Written atomically.
import { writeFileAtomic } from "../base/atomic.js";
import { formatIrModel } from "../ir/print.js";
import { irModelFor } from "./bind.js";
import { checkOutputFile, type CommandContext } from "./command.js";
import { EXIT, UsageError } from "./io.js";
import { loadCheckedModel, oneModelArg } from "./target.js";
import { isFsError } from "./write.js";

/** Flags that mean something for a backend's output only. */
const BACKEND_FLAGS = ["opset", "weights", "seed", "external-data", "external-threshold", "functions", "bind", "gemm", "dtype", "layout", "allow-missing", "ignore-unexpected"];

export function compileIrTarget(ctx: CommandContext): number {
  for (const f of BACKEND_FLAGS) if (ctx.flags[f] !== undefined) throw new UsageError(`compile: --${f} is not for --target ir (the IR has no weights, opset or bindings)`);
  const out = ctx.flags.output;
  if (typeof out !== "string" || out === "") throw new UsageError("compile: give the output file with -o OUT");
  checkOutputFile("compile", out);
  const checked = loadCheckedModel(ctx, oneModelArg(ctx, "compile"));
  if (!checked) return EXIT.diagnostics;
  const task = typeof ctx.flags.task === "string" ? ctx.flags.task : undefined;
  const m = irModelFor(checked, task !== undefined ? { task } : {}, "compile");
  try {
    writeFileAtomic(out, formatIrModel(m));
  } catch (e) {
    if (isFsError(e)) throw new UsageError(`compile: cannot write '${out}': ${e.message}`);
    throw e;
  }
  ctx.io.out(`wrote ${out}: ${m.graph.nodes.length.toLocaleString("en-US")} IR nodes, ${m.graph.params.length.toLocaleString("en-US")} parameters and buffers (IR text)\n`);
  return EXIT.ok;
}
