// Shared by the stdlib tests: compile each model of some stdlib files once.
import { expect } from "vitest";
import { Session, type CompileResult, type ModelRef } from "../../compiler/driver/session.js";
import { allParams } from "../../compiler/elaborate/instance.js";
import { countParams } from "../../compiler/tools/params.js";
import { Layout, layoutEntries } from "../../compiler/tools/weights/layout.js";
import { matchesPublished, parsePublished } from "../../compiler/tools/published.js";
import { countUnder } from "../../compiler/tools/stdlib-table.js";

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

/** A full-size model compiles cleanly, counts `total` parameters, and its `## published:`
 *  line reads `published` (or `none`) and matches the count (of the paths it names, if any). */
export function expectPublishedSize(compiled: (name: string) => Compiled, name: string, total: number, published: string): void {
  const { ref, result } = compiled(name);
  expect(errorsOf(result)).toEqual([]);
  const count = countParams(result.checked!.model).total;
  expect(count).toBe(total);
  const pub = parsePublished(ref.decl.doc);
  if (published === "none") {
    expect(pub).toBe("none");
    return;
  }
  if (pub === undefined || pub === "none") throw new Error(`${name} has no published figure`);
  expect(pub.text).toBe(published);
  const counted = typeof pub.of === "object" ? countUnder(result.checked!.model, pub.of.paths) : count;
  expect(matchesPublished(counted, pub)).toBe(true);
}

/** A model's parameters as its released checkpoints name them (under its default layout, if
 *  it declares one), each with its shape as "AxB". */
export function checkpointShapes(compiled: (name: string) => Compiled, name: string): Map<string, string> {
  const model = compiled(name).result.checked!.model;
  const params = allParams(model.root).map((p) => ({ path: p.path, shape: p.shape.map((d) => Number(String(d))) }));
  const l = model.layouts?.find((x) => x.name === model.defaultLayout);
  const layout = l === undefined ? undefined : new Layout(l.name, l.rules);
  const shapes = new Map(params.map((p) => [p.path, p.shape]));
  const out = new Map<string, string>();
  for (const p of params) {
    const entries = layout === undefined ? [{ key: p.path, shape: p.shape }] : layoutEntries(layout.map(p.path), p.shape, (q) => shapes.get(q) ?? []);
    for (const e of entries) out.set(e.key, e.shape.join("x"));
  }
  return out;
}
