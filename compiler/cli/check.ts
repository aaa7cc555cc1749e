// `mm check`: diagnostics for files and folders, once or on every change (--watch).
import { statSync } from "node:fs";
import { capErrors, type Session } from "../driver/session.js";
import { expandFiles, json, type Command, type CommandContext } from "./command.js";
import { EXIT, UsageError } from "./io.js";
import { report } from "./report.js";
import { watchCheck } from "./watch.js";

export const check: Command = {
  name: "check", usage: "check FILE|DIR... [--json] [--watch]", summary: "parse, resolve, elaborate and shape-check; print diagnostics",
  options: {
    json: json("diagnostics as JSON on stdout"),
    "max-errors": { type: "string", doc: "report at most N errors and stop checking there (default 50; as --limit errors=N)", int: [1, 1_000_000] },
    watch: { type: "boolean", doc: "check again whenever a checked file changes (Ctrl-C stops)" },
  },
  async: (flags) => flags.watch === true,
  run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError("check: give one or more .mm files or folders");
    if (ctx.flags.watch && ctx.flags.json) throw new UsageError("check: --watch prints for people; use --json without it");
    const files = expandFiles(ctx.positionals);
    const max = ctx.flags["max-errors"];
    if (typeof max === "string") ctx = { ...ctx, session: ctx.session.withLimits({ ...ctx.session.limits, errors: Number(max) }) };
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
    const shown = capErrors(r.diagnostics, session.limits.errors);
    const e = shown.filter((d) => d.severity === "error").length;
    const w = shown.length - e;
    ctx.io.err(`${files.length} file(s), ${r.models} model(s): ${e} error(s), ${w} warning(s)\n`);
  }
  return { exit: bad ? EXIT.diagnostics : EXIT.ok, sources: r.sources.keys() };
}
