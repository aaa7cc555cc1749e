// What a model spec names: `FILE.mm#NAME`, `FILE.mm` with `model` (or with one model), or a
// stdlib model `NAME`. Shared by the CLI (usage errors) and the compiler API (MmError); files
// are read through the session's host, so in-memory files resolve like files on disk.
import { resolve } from "node:path";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Program } from "../resolve/loader.js";
import type { ModelRef, Session } from "./session.js";

export interface Target {
  readonly ref: ModelRef;
  readonly program: Program;
}

/** A spec that names no model: the message says what to write instead. */
export class TargetError extends Error {}

/** The model a spec names; `diagnostics` are its file's (the target is absent after errors). */
export function findTarget(session: Session, spec: string, modelFlag: string | undefined): { target?: Target; diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string> } {
  let file = spec;
  let model = modelFlag;
  const hash = spec.lastIndexOf("#");
  if (hash > 0 && spec.slice(0, hash).endsWith(".mm")) {
    file = spec.slice(0, hash);
    model = spec.slice(hash + 1);
  }
  const path = resolve(file);
  const isFile = file.endsWith(".mm") || session.host.isFile(path);
  if (!isFile) {
    if (model) throw new TargetError(`'${spec}' is not a file; pass a .mm file with --model, or a stdlib model name alone`);
    const { ref, program } = session.findModel(spec);
    if (!ref) throw new TargetError(`no model named '${spec}' in the standard library (see \`mm list\`)`);
    return { target: { ref, program }, diagnostics: [], sources: program.sources };
  }
  if (!session.host.isFile(path)) throw new TargetError(`cannot read '${file}'`);
  const program = session.load([path]);
  const errors = program.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) return { diagnostics: sortDiagnostics([...program.diagnostics]), sources: program.sources };
  const models = session.models(program);
  if (!model) {
    if (models.length === 1) return { target: { ref: models[0]!, program }, diagnostics: [...program.diagnostics], sources: program.sources };
    throw new TargetError(models.length === 0 ? `'${file}' declares no model` : `'${file}' declares several models; pick one with --model (${models.map((m) => m.name).join(", ")})`);
  }
  const { ref } = session.findModel(model, program);
  if (!ref) throw new TargetError(`no model named '${model}' in '${file}' or the standard library${models.length ? ` (${file} has: ${models.map((m) => m.name).join(", ")})` : ""}`);
  return { target: { ref, program: ref.home.path === path || program.files.has(ref.home.path) ? program : session.stdlib() }, diagnostics: [...program.diagnostics], sources: program.sources };
}
