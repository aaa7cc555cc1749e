// Diagnostics at the CLI's edge: text to stderr, or JSON to stdout.
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { CommandContext } from "./command.js";
import { capErrors } from "../driver/session.js";
import { COLOR, diagnosticJson, PLAIN, renderDiagnostic } from "./render.js";

/** Prints diagnostics (text to stderr, or JSON to stdout); returns whether any is an error. */
export function report(ctx: CommandContext, ds: readonly Diagnostic[], sources: ReadonlyMap<string, string>, asJson = Boolean(ctx.flags.json)): boolean {
  // One cap for what is computed and what is shown (`--limit errors=N`, or --max-errors).
  const max = Number(ctx.flags["max-errors"] ?? ctx.session.limits.errors);
  const shown = capErrors(ds, max);
  const errors = shown.filter((d) => d.severity === "error").length;
  if (asJson) {
    ctx.io.out(JSON.stringify({ diagnostics: shown.map((d) => diagnosticJson(d, sources)), errors, warnings: shown.length - errors }, null, 2) + "\n");
  } else {
    for (const d of shown) ctx.io.err(renderDiagnostic(d, sources, ctx.io.color ? COLOR : PLAIN) + "\n\n");
  }
  return errors > 0;
}
