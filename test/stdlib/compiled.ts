// Shared by the stdlib tests: compile each model of some stdlib files once.
import { Session, type CompileResult, type ModelRef } from "../../compiler/driver/session.js";

export interface Compiled {
  readonly ref: ModelRef;
  readonly result: CompileResult;
}

/** A function that compiles a model of `files` (or, failing that, of the stdlib) once. */
export function compilerFor(files: readonly string[]): (name: string) => Compiled {
  const session = new Session();
  const program = session.load(files);
  const cache = new Map<string, Compiled>();
  return (name) => {
    let hit = cache.get(name);
    if (!hit) {
      const { ref, program: p } = session.findModel(name, program);
      if (!ref) throw new Error(`no model ${name}`);
      hit = { ref, result: session.compile(ref, p) };
      cache.set(name, hit);
    }
    return hit;
  };
}

export const errorsOf = (r: CompileResult): string[] =>
  r.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`);
