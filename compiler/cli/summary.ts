// `mm summary`: a torchinfo-like table of a model at given input sizes (docs/summary.md).
import { graphSymbols, summarize } from "../tools/summary/summary.js";
import { SUMMARY_DTYPES } from "../tools/summary/memory.js";
import { renderSummary } from "../tools/summary/render.js";
import { depth, json, model, type Command } from "./command.js";
import { EXIT, UsageError } from "./io.js";
import { loadCheckedModel, oneModelArg } from "./target.js";

/** `B=1,T=77` → {B: 1, T: 77}. */
export function parseInputs(spec: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!spec) return out;
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\d+)$/.exec(part);
    if (!m || Number(m[2]) < 1) throw new UsageError(`summary: --input takes NAME=N pairs with N ≥ 1, like B=1,T=77 (got '${part}')`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

export const summary: Command = {
  name: "summary",
  usage: "summary MODEL [--model NAME] [--input B=1,T=77] [--depth N] [--dtype f32|f16|bf16] [--train] [--json]",
  summary: "per component: output shapes, params, MACs, FLOPs, activation and weight memory",
  options: { model, json: json("JSON (schema in docs/summary.md)"), input: { type: "string", doc: "bind symbolic dims, e.g. B=8,T=77 (every symbol not given is 1)" }, depth: depth(1),
    dtype: { type: "string", doc: "count floating-point weights and activations at this dtype (default f32)", choices: Object.keys(SUMMARY_DTYPES) },
    train: { type: "boolean", doc: "add a training-memory estimate: weights, gradients, Adam moments and the activations kept for backward" },
  },
  run(ctx) {
    const levels = Number(ctx.flags.depth ?? 1);
    const inputs = parseInputs(typeof ctx.flags.input === "string" ? ctx.flags.input : undefined);
    const spec = oneModelArg(ctx, "summary");
    const checked = loadCheckedModel(ctx, spec);
    if (!checked) return EXIT.diagnostics;
    const graph = checked.graph;
    if (!graph) throw new UsageError(`summary: '${spec}' could not be traced, so there is nothing to count`);
    const known = graphSymbols(graph);
    const unknown = [...inputs.keys()].filter((k) => !known.includes(k));
    if (unknown.length) throw new UsageError(`summary: --input names ${unknown.join(", ")}, which the model does not use (its symbols: ${known.join(", ") || "none"})`);
    const dtype = SUMMARY_DTYPES[(ctx.flags.dtype ?? "f32") as keyof typeof SUMMARY_DTYPES];
    const s = summarize(checked.model, graph, inputs, levels, { dtype, train: ctx.flags.train === true });
    ctx.io.out(ctx.flags.json ? JSON.stringify(s, null, 2) + "\n" : renderSummary(s));
    return EXIT.ok;
  },
};
