// Resolves what a command is about: `FILE --model NAME`, `FILE#NAME`, `FILE` with one
// model, or a stdlib model `NAME`.
import type { CompileResult, Session } from "../driver/session.js";
import { findTarget, TargetError, type Target } from "../driver/target.js";
import type { CheckedModel } from "../check/check-model.js";
import type { CommandContext, OptionSpec } from "./command.js";
import { UsageError } from "./io.js";
import { report } from "./report.js";

export type { Target } from "../driver/target.js";

/** findTarget with the CLI's errors: a spec that names no model is a usage error (exit 2). */
export function resolveTarget(session: Session, spec: string, modelFlag: string | undefined): ReturnType<typeof findTarget> {
  try {
    return findTarget(session, spec, modelFlag);
  } catch (e) {
    if (e instanceof TargetError) throw new UsageError(e.message);
    throw e;
  }
}

export function compileTarget(session: Session, t: Target, training = false, checkOnly = false): CompileResult {
  return session.compile(t.ref, t.program, { ...(training ? { training } : {}), ...(checkOnly ? { checkOnly } : {}) });
}

/** Options that compile and run share. */
export const MODE: OptionSpec = {
  type: "string", choices: ["eval", "train"],
  doc: "eval (default: BatchNorm's running statistics, no dropout) or train (batch statistics; buffers' new values as outputs `<path>.updated`)",
};
export const SEED: OptionSpec = { type: "string", doc: "seed for --weights random (default 0)", int: [0, 2 ** 32 - 1] };
export const GEMM: OptionSpec = { type: "string", doc: "webgpu, ts: the product kernel, registers (default) or tiled (shared-memory tiles)", choices: ["registers", "tiled"] };

/** `--mode eval|train` (checked against MODE by the dispatcher): whether forward bodies see
 *  `training` true. */
export function trainingMode(flags: Readonly<Record<string, unknown>>): boolean {
  return flags.mode === "train";
}

/** Resolves and compiles the model a command names, printing diagnostics; undefined when
 *  there were errors (the caller exits 1). Every model-taking command goes through here.
 *  `sources` (file texts) come along for backends that point back at the source. */
export function loadCheckedModel(
  ctx: CommandContext, spec: string, checkOnly = false,
  /** Called with the target when every error is the instance budget (MM7001);
   *  returns true when it has dealt with them (`mm params` counts such a model folded). */
  overBudget?: (t: Target) => boolean,
): (CheckedModel & { readonly sources: ReadonlyMap<string, string> }) | undefined {
  const t = resolveTarget(ctx.session, spec, typeof ctx.flags.model === "string" ? ctx.flags.model : undefined);
  if (!t.target) {
    report(ctx, t.diagnostics, t.sources, false);
    return undefined;
  }
  // `checkOnly`: the caller reads the model, not the graph (a check memoizes identical calls).
  const r = compileTarget(ctx.session, t.target, trainingMode(ctx.flags), checkOnly);
  const errors = r.diagnostics.filter((d) => d.severity === "error");
  if (overBudget && errors.length > 0 && errors.every((d) => d.code === "MM7001") && overBudget(t.target)) return undefined;
  const bad = report(ctx, [...t.diagnostics, ...r.diagnostics], r.sources, false);
  return bad || !r.checked ? undefined : { ...r.checked, sources: r.sources };
}

/** The one model argument of a command, or a usage error. */
export function oneModelArg(ctx: CommandContext, command: string): string {
  const spec = ctx.positionals[0];
  if (!spec || ctx.positionals.length > 1) throw new UsageError(`${command}: give one model (a stdlib name, FILE.mm, or FILE.mm --model NAME)`);
  return spec;
}
