// A copy of an elaborated instance that shares its source's structure (declaration,
// arguments, env, forward) and makes its children and parameters only when they are read.
// Memoized copies (memo.ts) and EMA teachers (ema.ts) are such copies: a check rarely
// descends into one, and the stdlib makes tens of thousands.
import type { BlockDecl, Span } from "../ast/ast.js";
import type { FileScope } from "../resolve/scope.js";
import type { Instance, ParamTensor } from "./instance.js";
import { RepeatChildren } from "./stack.js";

/**
 * Children and parameters are prototype getters, so spreading a copy (`{...c}`) would drop
 * them: nothing spreads an instance.
 */
export abstract class LazyCopy implements Instance {
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
  readonly #source: Instance;
  #params?: readonly ParamTensor[];
  #children?: ReadonlyMap<string, Instance>;

  constructor(source: Instance, readonly path: string, readonly name: string, readonly span: Span) {
    this.#source = source;
    this.kind = source.kind;
    this.declName = source.declName;
    if (source.decl) this.decl = source.decl;
    if (source.scope) this.scope = source.scope;
    this.args = source.args;
    this.explicitArgs = source.explicitArgs;
    this.env = source.env;
    if (source.absentParams) this.absentParams = source.absentParams;
    if (source.forward) this.forward = source.forward;
    if (source.route) this.route = source.route;
  }

  /** One of the source's parameters, as this copy has it. */
  protected abstract copyParam(p: ParamTensor): ParamTensor;
  /** The source's child `name`, as a copy below this one. */
  protected abstract copyChild(name: string, child: Instance): Instance;

  get params(): readonly ParamTensor[] {
    return (this.#params ??= this.#source.params.map((p) => this.copyParam(p)));
  }

  get children(): ReadonlyMap<string, Instance> {
    const src = this.#source.children;
    if (!this.#children && src instanceof RepeatChildren) { // a folded stack stays folded
      this.#children = new RepeatChildren(src.size, (i) => this.copyChild(String(i), src.at(i)));
    }
    if (!this.#children) {
      const m = new Map<string, Instance>();
      for (const [k, c] of this.#source.children) m.set(k, this.copyChild(k, c));
      this.#children = m;
    }
    return this.#children;
  }
}
