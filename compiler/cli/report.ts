// Diagnostics at the CLI's edge: text to stderr, or JSON to stdout.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { CommandContext } from "./command.js";
import { COLOR, diagnosticJson, PLAIN, renderDiagnostic } from "./render.js";

/** Prints diagnostics (text to stderr, or JSON to stdout); returns whether any is an error. */
export function report(ctx: CommandContext, ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>, asJson = Boolean(ctx.flags.json)): boolean {
  const max = Number(ctx.flags["max-errors"] ?? 50);
  const errors = ds.filter((d) => d.severity === "error").length;
  const shown = ds.slice(0, max); // a positive integer: the dispatcher checked --max-errors
  if (asJson) {
    ctx.io.out(JSON.stringify({ diagnostics: shown.map((d) => diagnosticJson(d, sources)), errors, warnings: ds.length - errors }, null, 2) + "\n");
  } else {
    for (const d of shown) ctx.io.err(renderDiagnostic(d, sources, ctx.io.color ? COLOR : PLAIN) + "\n\n");
    if (shown.length < ds.length) ctx.io.err(`... and ${ds.length - shown.length} more (raise --max-errors)\n`);
  }
  return errors > 0;
}
