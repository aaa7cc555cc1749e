// `mm weights check MODEL CKPT`: the key report of loading a checkpoint, exit 0 when it loads.
// `mm weights export MODEL -o FILE.safetensors [--weights random|zeros|CKPT]`: the model's
// whole state dict as safetensors, from mm's init or converted from a checkpoint.
import { writeSafetensors } from "../checkpoint/write.js";
import { irParamOf } from "../driver/build-ir.js";
import { allTensors } from "../elaborate/instance.js";
import { paramDims, weightChunks, weightsLabel, type WeightsMode } from "../ir/weights.js";
import { renderKeyReport } from "../tools/weights/render.js";
import { checkOutputFile, json, model, type Command, type CommandContext } from "./command.js";
import { EXIT, UsageError } from "./io.js";
import { report } from "./report.js";
import { loadCheckedModel } from "./target.js";
import { checkpointWeights, layoutFor, mismatchDiagnostic, openOrReport, reportFor, weightsSpec, WEIGHT_OPTIONS } from "./weights.js";
import { toLayout } from "../tools/weights/layout.js";
import { DTYPE_SIZE } from "../base/tensor.js";
import { bytes } from "./write.js";

function check(ctx: CommandContext): number {
  const [, spec, path, ...rest] = ctx.positionals;
  if (spec === undefined || path === undefined || rest.length > 0) throw new UsageError("weights check: give a model and a checkpoint: mm weights check MODEL CKPT");
  const checked = loadCheckedModel(ctx, spec);
  if (!checked) return EXIT.diagnostics;
  const c = openOrReport(ctx, path);
  if (c === undefined) return EXIT.diagnostics;
  try {
    const r = reportFor(ctx, checked, c, layoutFor(ctx, checked));
    if (ctx.flags.json) ctx.io.out(JSON.stringify({ checkpoint: c.path, format: c.format, model: checked.model.name, ...r }, null, 2) + "\n");
    else ctx.io.out(renderKeyReport(r, checked.model.name, c) + "\n");
    if (r.ok) return EXIT.ok;
    if (!ctx.flags.json) report(ctx, [mismatchDiagnostic(checked, c, r)], new Map(), false);
    return EXIT.diagnostics;
  } finally {
    c.close();
  }
}

function exportWeights(ctx: CommandContext): number {
  const [, spec, ...rest] = ctx.positionals;
  if (spec === undefined || rest.length > 0) throw new UsageError("weights export: give one model: mm weights export MODEL -o FILE.safetensors");
  const out = ctx.flags.output;
  if (typeof out !== "string" || out === "") throw new UsageError("weights export: give the output file with -o FILE.safetensors");
  checkOutputFile("weights export", out);
  if (ctx.flags.weights === "none") throw new UsageError("weights export: --weights none has no values to write; use random, zeros or a checkpoint");
  const given = weightsSpec(ctx, "weights export", "random");
  const checked = loadCheckedModel(ctx, spec);
  if (!checked) return EXIT.diagnostics;
  const loaded = "mode" in given ? { mode: given.mode, close: () => {} } : checkpointWeights(ctx, checked, given.checkpoint, layoutFor(ctx, checked, "from-layout"));
  if (loaded === undefined) return EXIT.diagnostics;
  const { mode, close } = loaded;
  try {
    const m = mode as Exclude<WeightsMode, "none">;
    const params = new Map(allTensors(checked.model.root).map((t) => [t.path, irParamOf(t, -1)] as const));
    const own = [...params.values()].map((p) => ({ path: p.path, dtype: p.dtype, shape: paramDims(p) }));
    const chunks = (path: string): Iterable<Uint8Array> => weightChunks(params.get(path)!, m);
    // --layout names the output's layout here; --from-layout the layout of a checkpoint given with --weights.
    const layout = layoutFor(ctx, checked);
    const tensors = layout ? toLayout(layout, own, (d) => DTYPE_SIZE[d], chunks)
      : own.map((t) => ({ name: t.path, dtype: t.dtype, shape: t.shape, chunks: () => chunks(t.path) }));
    const n = writeSafetensors(out, tensors, { format: "pt", "mm.model": checked.model.name, "mm.weights": weightsLabel(mode) });
    ctx.io.out(`wrote ${out}: ${tensors.length} tensors, ${bytes(n)}\n`);
    return EXIT.ok;
  } finally {
    close();
  }
}

export const weights: Command = {
  name: "weights",
  usage: "weights check MODEL CKPT [--layout L] | weights export MODEL -o FILE.safetensors [--weights CKPT] [--layout L]",
  summary: "checkpoints: the key report of loading one (check), or the model's state dict as safetensors (export)",
  options: {
    model,
    json: json("check: the report as JSON"),
    output: { type: "string", short: "o", doc: "export: the .safetensors file to write" },
    weights: { type: "string", doc: "export: random (default), zeros, or a checkpoint to convert" },
    seed: { type: "string", doc: "export: seed for --weights random (default 0)", int: [0, 2 ** 32 - 1] },
    ...WEIGHT_OPTIONS,
    layout: { type: "string", doc: "check: the checkpoint's layout; export: the layout to write (default: the model's default layout, else mm's own names; `mm` names mm's own)" },
    "from-layout": { type: "string", doc: "export: the layout of the checkpoint given with --weights" },
  },
  run(ctx) {
    const action = ctx.positionals[0];
    if (action === "check") return check(ctx);
    if (action === "export") return exportWeights(ctx);
    throw new UsageError(`weights: the action is check or export, not ${action === undefined ? "nothing" : `'${action}'`}`);
  },
};
