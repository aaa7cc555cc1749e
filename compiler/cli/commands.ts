// The CLI's commands. Each reads its flags, calls the compiler through the Session and
// prints; rendering of diagnostics happens only here, at the edge.
import { ALL_CODES, CODES, exampleFor, type Code } from "../diagnostics/codes.js";
import { countParams } from "../tools/params.js";
import { renderShapeTree, shapeTree } from "../tools/shapes.js";
import { EXIT, UsageError } from "./io.js";
import { listModels, renderList } from "./list.js";
import { renderParams } from "./params-view.js";
import { check } from "./check.js";
import { depth, expandFiles, json, model, type Command, type CommandContext } from "./command.js";
import type { CheckedModel } from "../check/check-model.js";
import { loadCheckedModel, oneModelArg } from "./target.js";
import type { ElaboratedModel } from "../elaborate/instance.js";
import { unrolledSize } from "../elaborate/stack.js";
import { compile } from "./compile.js";
import { fmt } from "./fmt.js";
import { graph } from "./graph.js";
import { summary } from "./summary.js";
import { diff } from "./diff.js";
import { run } from "./run.js";
import { weights } from "./weights-command.js";
import { lsp } from "./lsp.js";


function withModel(ctx: CommandContext, name: string, body: (r: CheckedModel) => void, checkOnly = false): number {
  const checked = loadCheckedModel(ctx, oneModelArg(ctx, name), checkOnly);
  if (!checked) return EXIT.diagnostics;
  body(checked);
  return EXIT.ok;
}

const shapes: Command = {
  name: "shapes", usage: "shapes MODEL [--model NAME] [--json]", summary: "every named tensor with its inferred shape, as a tree",
  options: { model, json: json("the tree as JSON") },
  run(ctx) {
    return withModel(ctx, "shapes", (c) => {
      const tree = shapeTree(c.model, c.graph);
      ctx.io.out(ctx.flags.json ? JSON.stringify(tree, null, 2) + "\n" : renderShapeTree(tree));
    });
  },
};

const params: Command = {
  name: "params", usage: "params MODEL [--model NAME] [--depth N] [--json]", summary: "parameter counts by component (a component's own params as an (own) row); trainable/frozen per stage",
  options: { model, json: json("JSON with total, trainable, components, stages"), depth: depth(1) },
  run(ctx) {
    const levels = Number(ctx.flags.depth ?? 1);
    const print = (m: ElaboratedModel): void => {
      const rep = countParams(m, levels);
      ctx.io.out(ctx.flags.json ? JSON.stringify(rep, null, 2) + "\n" : renderParams(rep));
    };
    // A model too large to unroll (MM7001 for check and compile) is still counted: folded.
    let folded = false;
    const checked = loadCheckedModel(ctx, oneModelArg(ctx, "params"), true, (t) => {
      const f = ctx.session.elaborateFolded(t.ref, t.program);
      if (!f.model || f.diagnostics.some((d) => d.severity === "error")) return false;
      print(f.model);
      const n = unrolledSize(f.model.root).toLocaleString("en-US");
      ctx.io.err(`mm: params: counted without unrolling; ${f.model.name} has ${n} instances, over the limit of ${ctx.session.limits.instances.toLocaleString("en-US")}, so it is not checked (MM7001)\n`);
      return (folded = true);
    });
    if (folded) return EXIT.ok;
    if (!checked) return EXIT.diagnostics;
    print(checked.model);
    return EXIT.ok;
  },
};

const list: Command = {
  name: "list", usage: "list [FILE...] [--json]", summary: "models in the standard library and in the given files",
  options: { json: json() },
  run(ctx) {
    const entries = listModels(ctx.session, expandFiles(ctx.positionals));
    ctx.io.out(ctx.flags.json ? JSON.stringify(entries, null, 2) + "\n" : renderList(entries));
    return EXIT.ok;
  },
};

const explain: Command = {
  name: "explain", usage: "explain CODE", summary: "what an error code means, with a wrong and a fixed example",
  options: {},
  run(ctx) {
    const code = (ctx.positionals[0] ?? "").toUpperCase();
    if (!(ALL_CODES as string[]).includes(code)) throw new UsageError(`explain: unknown code '${ctx.positionals[0] ?? ""}' (codes: MM1001..MM9001)`);
    ctx.io.out(explainText(code as Code));
    return EXIT.ok;
  },
};

export function explainText(code: Code): string {
  const e = CODES[code];
  const ex = exampleFor(code);
  const parts = [`${code}: ${e.title} (${e.severity})`, "", e.explanation];
  if (ex?.limits) parts.push("", `(checked with ${ex.limits.map((l) => `--limit ${l}`).join(" ")})`);
  if (ex) parts.push("", "Wrong:", "", indent(ex.wrong), "", "Fixed:", "", indent(ex.fixed));
  return parts.join("\n") + "\n";
}

function indent(s: string): string {
  return s.trimEnd().split("\n").map((l) => (l ? "    " + l : l)).join("\n");
}

export const COMMANDS: readonly Command[] = [check, shapes, params, list, explain, compile, run, summary, graph, diff, fmt, weights, lsp];
