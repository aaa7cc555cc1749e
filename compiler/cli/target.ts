// Resolves what a command is about: `FILE --model NAME`, `FILE#NAME`, `FILE` with one
// model, or a stdlib model `NAME`.
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { CompileResult, ModelRef, Session } from "../driver/session.js";
import type { Program } from "../resolve/loader.js";
import type { CheckedModel } from "../check/check-model.js";
import type { CommandContext, OptionSpec } from "./command.js";
import { UsageError } from "./io.js";
import { report } from "./report.js";

export interface Target {
  readonly ref: ModelRef;
  readonly program: Program;
}

export function resolveTarget(session: Session, spec: string, modelFlag: string | undefined): { target?: Target; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> } {
  let file = spec;
  let model = modelFlag;
  const hash = spec.lastIndexOf("#");
  if (hash > 0 && spec.slice(0, hash).endsWith(".mm")) {
    file = spec.slice(0, hash);
    model = spec.slice(hash + 1);
  }
  const isFile = file.endsWith(".mm") || (existsSync(file) && statSync(file).isFile());
  if (!isFile) {
    if (model) throw new UsageError(`'${spec}' is not a file; pass a .mm file with --model, or a stdlib model name alone`);
    const { ref, program } = session.findModel(spec);
    if (!ref) throw new UsageError(`no model named '${spec}' in the standard library (see \`mm list\`)`);
    return { target: { ref, program }, diagnostics: [], sources: program.sources };
  }
  if (!existsSync(file)) throw new UsageError(`cannot read '${file}'`);
  const program = session.load([resolve(file)]);
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) return { diagnostics: sortDiagnostics([...program.diagnostics]), sources: program.sources };
  const models = session.models(program);
  if (!model) {
    if (models.length === 1) return { target: { ref: models[0]!, program }, diagnostics: [...program.diagnostics], sources: program.sources };
    throw new UsageError(models.length === 0 ? `'${file}' declares no model` : `'${file}' declares several models; pick one with --model (${models.map((m) => m.name).join(", ")})`);
  }
  const { ref } = session.findModel(model, program);
  if (!ref) throw new UsageError(`no model named '${model}' in '${file}' or the standard library${models.length ? ` (${file} has: ${models.map((m) => m.name).join(", ")})` : ""}`);
  return { target: { ref, program: ref.home.path === resolve(file) || program.files.has(ref.home.path) ? program : session.stdlib() }, diagnostics: [...program.diagnostics], sources: program.sources };
}

export function compileTarget(session: Session, t: Target, training = false): CompileResult {
  return session.compile(t.ref, t.program, training ? { training } : {});
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
export function loadCheckedModel(ctx: CommandContext, spec: string): (CheckedModel & { readonly sources: ReadonlyMap<string, string> }) | undefined {
  const t = resolveTarget(ctx.session, spec, typeof ctx.flags.model === "string" ? ctx.flags.model : undefined);
  if (!t.target) {
    report(ctx, t.diagnostics, t.sources, false);
    return undefined;
  }
  const r = compileTarget(ctx.session, t.target, trainingMode(ctx.flags));
  const bad = report(ctx, [...t.diagnostics, ...r.diagnostics], r.sources, false);
  return bad || !r.checked ? undefined : { ...r.checked, sources: r.sources };
}

/** The one model argument of a command, or a usage error. */
export function oneModelArg(ctx: CommandContext, command: string): string {
  const spec = ctx.positionals[0];
  if (!spec || ctx.positionals.length > 1) throw new UsageError(`${command}: give one model (a stdlib name, FILE.mm, or FILE.mm --model NAME)`);
  return spec;
}
