// EMA teachers: a copy of a submodule whose parameters follow the student's by an
// exponential moving average instead of being trained.
import type { Span } from "../ast/ast.js";
import type { Instance } from "./instance.js";

export function cloneAsEma(src: Instance, name: string, path: string, momentum: number, span: Span): Instance {
  const ema = { source: src.path, momentum };
  const walk = (i: Instance, newPath: string, newName: string): Instance => {
    const children = new Map<string, Instance>();
    for (const [k, c] of i.children) children.set(k, walk(c, `${newPath}.${k}`, k));
    return {
      ...i,
      path: newPath,
      name: newName,
      params: i.params.map((p) => ({ ...p, path: `${newPath}.${p.name}`, ema: { source: p.path, momentum } })),
      children,
      ema,
      template: undefined, // an EMA copy differs from its source in structure
    };
  };
  return { ...walk(src, path, name), span };
}
