// The CLI's commands. Each reads its flags, calls the compiler through the Session and
// prints; rendering of diagnostics happens only here, at the edge.
import { existsSync, statSync } from "node:fs";
import type { ParseArgsConfig } from "node:util";
import { ALL_CODES, CODES, exampleFor, type Code } from "../diagnostics/codes.js";
import type { Session } from "../driver/session.js";
import { watchCheck } from "./watch.js";
import { listMmFiles } from "../resolve/host.js";
import { countParams } from "../tools/params.js";
import { renderShapeTree, shapeTree } from "../tools/shapes.js";
import { EXIT, UsageError, type Io } from "./io.js";
import { listModels, renderList } from "./list.js";
import { renderParams } from "./params-view.js";
import { report } from "./report.js";
import type { CheckedModel } from "../check/check-model.js";
import { loadCheckedModel, oneModelArg } from "./target.js";
import { compile } from "./compile.js";
import { fmt } from "./fmt.js";
import { graph } from "./graph.js";
import { summary } from "./summary.js";
import { diff } from "./diff.js";
import { run } from "./run.js";

export { report };

export interface CommandContext {
  readonly positionals: readonly string[];
  /** Flag values; a string[] for options declared `multiple` (such as --bind). */
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly io: Io;
  readonly session: Session;
}

export interface Command {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  readonly optionDocs: Readonly<Record<string, string>>;
  /** Commands that touch a GPU or onnxruntime, or load a large module, are asynchronous
   *  (always, or for some flags): run them with runCliAsync. */
  readonly async?: boolean | ((flags: CommandContext["flags"]) => boolean);
  run(ctx: CommandContext): number | Promise<number>;
}

const json = { type: "boolean" } as const;
const model = { type: "string" } as const;

function expandFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (!existsSync(a)) throw new UsageError(`cannot read '${a}'`);
    if (statSync(a).isDirectory()) out.push(...listMmFiles(a));
    else out.push(a);
  }
  return out;
}

const check: Command = {
  name: "check", usage: "check FILE|DIR... [--json] [--watch]", summary: "parse, resolve, elaborate and shape-check; print diagnostics",
  options: { json, "max-errors": { type: "string" }, watch: { type: "boolean" } },
  optionDocs: {
    json: "diagnostics as JSON on stdout", "max-errors": "print at most N diagnostics (default 50)",
    watch: "check again whenever a checked file changes (Ctrl-C stops)",
  },
  async: (flags) => flags.watch === true,
  run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError("check: give one or more .mm files or folders");
    if (ctx.flags.watch && ctx.flags.json) throw new UsageError("check: --watch prints for people; use --json without it");
    const files = expandFiles(ctx.positionals);
    if (!ctx.flags.watch) return checkRound(ctx, files, ctx.session).exit;
    const folders = ctx.positionals.filter((p) => statSync(p).isDirectory());
    // A round lists the folders again: a new file in one is checked from then on.
    return watchCheck(ctx, folders, (session) => checkRound(ctx, expandFiles(ctx.positionals), session));
  },
};

/** `mm check` once: diagnostics, then the count line. */
function checkRound(ctx: CommandContext, files: readonly string[], session: Session): { exit: number; sources: Iterable<string> } {
  const r = session.checkFiles(files);
  const bad = report(ctx, r.diagnostics, r.sources);
  if (!ctx.flags.json) {
    const e = r.diagnostics.filter((d) => d.severity === "error").length;
    const w = r.diagnostics.length - e;
    ctx.io.err(`${files.length} file(s), ${r.models} model(s): ${e} error(s), ${w} warning(s)\n`);
  }
  return { exit: bad ? EXIT.diagnostics : EXIT.ok, sources: r.sources.keys() };
}

function withModel(ctx: CommandContext, name: string, body: (r: CheckedModel) => void): number {
  const checked = loadCheckedModel(ctx, oneModelArg(ctx, name));
  if (!checked) return EXIT.diagnostics;
  body(checked);
  return EXIT.ok;
}

const shapes: Command = {
  name: "shapes", usage: "shapes MODEL [--model NAME] [--json]", summary: "every named tensor with its inferred shape, as a tree",
  options: { model, json }, optionDocs: { model: "the model, when FILE declares several", json: "the tree as JSON" },
  run(ctx) {
    return withModel(ctx, "shapes", (c) => {
      const tree = shapeTree(c.model, c.graph);
      ctx.io.out(ctx.flags.json ? JSON.stringify(tree, null, 2) + "\n" : renderShapeTree(tree));
    });
  },
};

const params: Command = {
  name: "params", usage: "params MODEL [--model NAME] [--depth N] [--json]", summary: "parameter counts by component; trainable/frozen per stage",
  options: { model, json, depth: { type: "string" } },
  optionDocs: { model: "the model, when FILE declares several", json: "JSON with total, trainable, components, stages", depth: "component levels to show (default 1)" },
  run(ctx) {
    const depth = Number(ctx.flags.depth ?? 1);
    if (!Number.isInteger(depth) || depth < 1) throw new UsageError("params: --depth takes a positive integer");
    return withModel(ctx, "params", (c) => {
      const rep = countParams(c.model, depth);
      ctx.io.out(ctx.flags.json ? JSON.stringify(rep, null, 2) + "\n" : renderParams(rep));
    });
  },
};

const list: Command = {
  name: "list", usage: "list [FILE...] [--json]", summary: "models in the standard library and in the given files",
  options: { json }, optionDocs: { json: "as JSON" },
  run(ctx) {
    const entries = listModels(ctx.session, expandFiles(ctx.positionals));
    ctx.io.out(ctx.flags.json ? JSON.stringify(entries, null, 2) + "\n" : renderList(entries));
    return EXIT.ok;
  },
};

const explain: Command = {
  name: "explain", usage: "explain CODE", summary: "what an error code means, with a wrong and a fixed example",
  options: {}, optionDocs: {},
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
  if (ex) parts.push("", "Wrong:", "", indent(ex.wrong), "", "Fixed:", "", indent(ex.fixed));
  return parts.join("\n") + "\n";
}

function indent(s: string): string {
  return s.trimEnd().split("\n").map((l) => (l ? "    " + l : l)).join("\n");
}

export const COMMANDS: readonly Command[] = [check, shapes, params, list, explain, compile, run, summary, graph, diff, fmt];
