// EMA teachers: a copy of a submodule whose parameters follow the student's by an
// exponential moving average instead of being trained.
import type { Span } from "../ast/ast.js";
import type { Instance } from "./instance.js";

/** Each node of an EMA copy and the student node it copies. */
const sources = new WeakMap<Instance, Instance>();

/** The student node an EMA teacher's node copies: it has the same structure, so a check
 *  that memoizes calls by structure (check/memo.ts) treats the two alike. */
export function emaSource(i: Instance): Instance | undefined {
  return sources.get(i);
}

export function cloneAsEma(src: Instance, name: string, path: string, momentum: number, span: Span): Instance {
  const ema = { source: src.path, momentum };
  const walk = (i: Instance, newPath: string, newName: string): Instance => {
    const children = new Map<string, Instance>();
    for (const [k, c] of i.children) children.set(k, walk(c, `${newPath}.${k}`, k));
    const copy: Instance = {
      ...i,
      path: newPath,
      name: newName,
      params: i.params.map((p) => ({ ...p, path: `${newPath}.${p.name}`, ema: { source: p.path, momentum } })),
      children,
      ema,
      template: undefined, // an EMA copy is not a memoized elaboration (elaborate/memo.ts)
    };
    sources.set(copy, i);
    return copy;
  };
  const root = { ...walk(src, path, name), span };
  sources.set(root, src);
  return root;
}
