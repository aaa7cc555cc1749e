// EMA teachers: a copy of a submodule whose parameters follow the student's by an
// exponential moving average instead of being trained.
import type { BlockDecl, Span } from "../ast/ast.js";
import type { FileScope } from "../resolve/scope.js";
import type { Instance, ParamTensor } from "./instance.js";

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

/**
 * One node of a teacher. Children and parameters are made on first use, as memoized copies'
 * are (elaborate/memo.ts): a check calls the teacher with its student's memo key, so it
 * rarely descends into one. Every node carries the teacher root's `ema` record; parameters
 * record the student parameter they follow.
 */
class EmaCopy implements Instance {
  readonly kind: Instance["kind"];
  readonly declName: string;
  readonly decl?: BlockDecl;
  readonly scope?: FileScope;
  readonly args: Instance["args"];
  readonly explicitArgs: Instance["explicitArgs"];
  readonly env: Instance["env"];
  readonly absentParams?: readonly string[];
  readonly forward?: Instance["forward"];
  readonly route?: Instance["route"];
  readonly #src: Instance;
  #params?: readonly ParamTensor[];
  #children?: ReadonlyMap<string, Instance>;

  constructor(src: Instance, readonly path: string, readonly name: string, readonly span: Span, readonly ema: Ema) {
    this.#src = src;
    this.kind = src.kind;
    this.declName = src.declName;
    if (src.decl) this.decl = src.decl;
    if (src.scope) this.scope = src.scope;
    this.args = src.args;
    this.explicitArgs = src.explicitArgs;
    this.env = src.env;
    if (src.absentParams) this.absentParams = src.absentParams;
    if (src.forward) this.forward = src.forward;
    if (src.route) this.route = src.route;
    sources.set(this, src);
  }

  get params(): readonly ParamTensor[] {
    const momentum = this.ema.momentum;
    return (this.#params ??= this.#src.params.map((p): ParamTensor => ({ ...p, path: `${this.path}.${p.name}`, ema: { source: p.path, momentum } })));
  }

  get children(): ReadonlyMap<string, Instance> {
    if (!this.#children) {
      const m = new Map<string, Instance>();
      for (const [k, c] of this.#src.children) m.set(k, new EmaCopy(c, `${this.path}.${k}`, k, c.span, this.ema));
      this.#children = m;
    }
    return this.#children;
  }
}
