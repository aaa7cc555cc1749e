// EMA teachers: a copy of a submodule whose parameters follow the student's by an
// exponential moving average instead of being trained.
import type { Span } from "../ast/ast.js";
import type { Instance, ParamTensor } from "./instance.js";
import { LazyCopy } from "./lazy-copy.js";

/** Each node of an EMA copy and the student node it copies. */
const sources = new WeakMap<Instance, Instance>();

/** The student node an EMA teacher's node copies: it has the same structure, so a check
 *  that memoizes calls by structure (check/memo.ts) treats the two alike. */
export function emaSource(i: Instance): Instance | undefined {
  return sources.get(i);
}

export function cloneAsEma(src: Instance, name: string, path: string, momentum: number, span: Span): Instance {
  return new EmaCopy(src, path, name, span, { source: src.path, momentum });
}

type Ema = NonNullable<Instance["ema"]>;

/** One node of a teacher. Every node carries the teacher root's `ema` record; parameters
 *  record the student parameter they follow. */
class EmaCopy extends LazyCopy {
  constructor(src: Instance, path: string, name: string, span: Span, readonly ema: Ema) {
    super(src, path, name, span);
    sources.set(this, src);
  }

  protected copyParam(p: ParamTensor): ParamTensor {
    return { ...p, path: `${this.path}.${p.name}`, ema: { source: p.path, momentum: this.ema.momentum } };
  }

  protected copyChild(name: string, c: Instance): Instance {
    return new EmaCopy(c, `${this.path}.${name}`, name, c.span, this.ema);
  }
}
