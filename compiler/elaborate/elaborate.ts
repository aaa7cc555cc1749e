// Elaboration: turns a model declaration (or variant) into an instance tree with concrete
// arguments, unrolled repeats and dotted parameter paths. Errors are reported per item;
// an item that fails is poisoned so later uses of it do not cascade into more errors.
import type { CallExpr, Span, SubmoduleItem } from "../ast/ast.js";
import { Dim } from "../base/dims.js";
import { DiagnosticBag, DiagnosticError, fail } from "../diagnostics/diagnostic.js";
import { withContext, type ContextLink } from "../diagnostics/context.js";
import { bindBlockArgs, checkOverrideNames, NO_OVERRIDES } from "./args.js";
import { Scope } from "./env.js";
import { evalArgs, evalExpr, type EvArg } from "./eval.js";
import type { Instance } from "./instance.js";
import { cloneAsEma } from "./ema.js";
import { elaborateBody } from "./body.js";
import { bindingKey, copyAt, copyTemplate, isShared, keepTemplate } from "./memo.js";
import { RepeatChildren, unrolledSize } from "./stack.js";
import { DEFAULT_LIMITS, MAX_INSTANCE_DEPTH, raiseHint, type Limits } from "../base/limits.js";
import { PoisonError, typeName, type BoundArg, type Value } from "./values.js";

/** Variant overrides keyed by instance path with repeat indices removed (`text.layers`). */
export interface OverrideEntry {
  replace?: { readonly callee: Value & { k: "block" }; readonly args: readonly EvArg[]; readonly span: Span };
  readonly args: Map<string, BoundArg>;
  used: boolean;
  readonly span: Span;
}

export class Elaborator {
  readonly stack: string[] = [];
  /** The instantiations under way, outermost first: the chain a diagnostic carries. */
  private readonly links: ContextLink[] = [];
  /** Instances made so far (a lazy copy counts one), and the model's size with every repeat
   *  unrolled (folded stacks and copies count their whole subtree): both within
   *  `limits.instances`, the second unless `folded` (`mm params`, which never unrolls). */
  private made = 0;
  private unrolled = 0;
  /** Set at the first MM7001: every later count ends its item silently. */
  private exhausted = false;
  /** Errors caught so far, counted before de-duplication: a subtree that had any is not memoized. */
  private caught = 0;
  /** Override paths and their prefixes (`text`, `text.layers`): subtrees there are not memoized. */
  private overridden?: Set<string>;
  constructor(
    readonly bag: DiagnosticBag,
    readonly sources: ReadonlyMap<string, string>,
    readonly overrides: Map<string, OverrideEntry> = new Map(),
    readonly limits: Pick<Limits, "instances"> = DEFAULT_LIMITS,
    readonly folded = false,
  ) {}

  /** Adds `made` and `unrolled` instances; past the budget, MM7001 at `span`. */
  private count(made: number, unrolled: number, span: Span, what: string): void {
    if (this.exhausted) throw new PoisonError();
    this.made += made;
    this.unrolled += unrolled;
    const over = this.made > this.limits.instances ? this.made : !this.folded && this.unrolled > this.limits.instances ? this.unrolled : 0;
    if (over) {
      this.exhausted = true;
      fail("MM7001", span, { what, count: over.toLocaleString("en-US"), limit: this.limits.instances.toLocaleString("en-US") }, { hint: raiseHint("instances") });
    }
  }

  /** The source text of a span, for messages that quote the program. */
  text(span: Span): string {
    return this.sources.get(span.file)?.slice(span.start, span.end) ?? "";
  }

  /** Reports a DiagnosticError thrown by f; returns undefined then. Silent poison errors are swallowed. */
  guard<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (e instanceof DiagnosticError || e instanceof PoisonError) this.caught++;
      if (e instanceof DiagnosticError) {
        const links = [...e.chain];
        for (let i = this.links.length - 1; i >= 0; i--) links.push(this.links[i]!);
        this.bag.add(withContext(e.diagnostic, links, "instantiated", links[0]?.path));
        return undefined;
      }
      if (e instanceof PoisonError) return undefined;
      throw e;
    }
  }

  instantiate(
    callee: Value & { k: "block" }, args: readonly EvArg[], name: string, path: string, callSpan: Span,
    argOverrides: ReadonlyMap<string, BoundArg> = NO_OVERRIDES,
  ): Instance {
    const decl = callee.decl;
    const declName = decl.name.name;
    if (this.stack.includes(declName)) {
      const chain = [...this.stack.slice(this.stack.indexOf(declName)), declName].join(" -> ");
      fail("MM3006", callSpan, { name: declName, chain }, { hint: "a block cannot contain an instance of itself; pass the inner part as a Block parameter" });
    }
    if (this.stack.length >= MAX_INSTANCE_DEPTH) {
      const st = this.stack;
      const chain = [...st.slice(0, 3), "...", ...st.slice(-3), declName].join(" -> ");
      fail("MM3019", callSpan, { name: st[0] ?? declName, limit: MAX_INSTANCE_DEPTH, chain });
    }
    checkOverrideNames(decl, path, argOverrides);
    this.stack.push(declName);
    const link: ContextLink = { span: callSpan, path, declName };
    this.links.push(link);
    try {
      const bound = bindBlockArgs(decl, callee.scope, callee.bound, args, callSpan, argOverrides);
      const key = path !== "" && !this.isOverridden(path) ? bindingKey(callee.scope, bound) : undefined;
      const copy = key !== undefined ? copyTemplate(decl, key, this.stack, name, path, callSpan) : undefined;
      if (copy) {
        this.count(1, unrolledSize(copy), callSpan, `'${path}' (${declName})`);
        return copy;
      }
      this.count(1, 1, callSpan, `'${path || declName}' (${declName})`);
      const before = this.caught;
      const inst = elaborateBody(this, decl, callee.scope, bound, name, path, callSpan);
      if (key !== undefined && this.caught === before) keepTemplate(decl, key, inst);
      return inst;
    } catch (e) {
      if (e instanceof DiagnosticError) e.chain.push(link);
      throw e;
    } finally {
      this.stack.pop();
      this.links.pop();
    }
  }

  private isOverridden(path: string): boolean {
    if (this.overrides.size === 0) return false;
    if (!this.overridden) {
      this.overridden = new Set();
      for (const k of this.overrides.keys()) {
        const segs = k.split(".");
        for (let i = 1; i <= segs.length; i++) this.overridden.add(segs.slice(0, i).join("."));
      }
    }
    return this.overridden.has(overrideKey(path));
  }

  /** One submodule item of a body; returns the instance (or undefined when the condition is false). */
  submodule(item: SubmoduleItem, env: Scope, prefix: string): Instance | undefined {
    const name = item.name.name;
    const path = prefix ? `${prefix}.${name}` : name;
    const key = this.overrides.size ? overrideKey(path) : path;
    const ov = this.overrides.size ? this.overrides.get(key) : undefined;
    if (ov) ov.used = true;
    if (item.condition) {
      const c = evalExpr(item.condition, { env });
      if (c.k !== "bool") fail("MM3015", item.condition.span, { what: "a condition", actual: typeName(c) });
      if (!c.v) return undefined;
    }
    const call = item.call;
    if (ov?.replace) {
      if (item.repeat) fail("MM3012", ov.span, { path: key, reason: "a repeat stack is replaced as a whole; override its arguments instead" });
      return this.instantiate(ov.replace.callee, ov.replace.args, name, path, ov.replace.span, ov.args);
    }
    if (call.callee.kind === "Name" && call.callee.name === "ema" && env.lookup("ema") === undefined) {
      return this.ema(call, env, name, path);
    }
    const isSequential = call.callee.kind === "Name" && call.callee.name === "sequential" && env.lookup("sequential") === undefined;
    const argOverrides = ov?.args ?? NO_OVERRIDES;
    const calleeV = isSequential ? undefined : evalExpr(call.callee, { env });
    if (calleeV && calleeV.k !== "block") {
      fail("MM3010", call.callee.span, { name: call.callee.kind === "Name" ? call.callee.name : "callee", what: typeName(calleeV), expected: "a block" });
    }
    if (!item.repeat) {
      return calleeV ? this.instantiate(calleeV, evalArgs(call.args, { env }), name, path, call.span, argOverrides) : this.sequential(call, env, name, path);
    }
    const count = evalExpr(item.repeat.count, { env });
    const n = count.k === "int" ? count.v.constValue() : undefined;
    if (n === undefined || n < 1) {
      fail("MM3007", item.repeat.count.span, { value: count.k === "int" ? count.v.toString() : typeName(count) },
        { hint: n === 0 ? "write `Block(...) if cond` for an optional part" : "pass a positive Int" });
    }
    const children = new Map<string, Instance>();
    const index = item.repeat.index;
    // Without an index variable every layer gets the same arguments: evaluate them once.
    const same = index || !calleeV ? undefined : evalArgs(call.args, { env });
    const stackOf = (c: ReadonlyMap<string, Instance>): Instance => ({
      path, name, kind: "stack", declName: calleeV ? calleeV.decl.name.name : "sequential", args: new Map([["count", count]]),
      explicitArgs: new Set(["count"]), env: new Map([["count", count]]), params: [], children: c, span: item.span,
    });
    const what = `'${path}' (repeat ${n.toLocaleString("en-US")})`;
    if (same && calleeV) {
      // Identical layers: when the first is a shared template, the others are its copies,
      // made when read (stack.ts), and counted without being made.
      const caught = this.caught;
      const first = this.instantiate(calleeV, same, "0", `${path}.0`, call.span, argOverrides);
      // A first layer with errors: every other would report them again (see below).
      if (this.caught > caught) return stackOf(new Map([["0", first]]));
      if (isShared(first)) {
        this.count(0, (n - 1) * unrolledSize(first), item.repeat.count.span, what);
        return stackOf(new RepeatChildren(n, (i) => (i === 0 ? first : copyAt(first, String(i), `${path}.${i}`, call.span))));
      }
      children.set("0", first);
    }
    for (let i = children.size; i < n; i++) {
      if (this.made >= this.limits.instances || this.exhausted) this.count(1, 0, item.repeat.count.span, what);
      let iterEnv = env;
      if (index) {
        iterEnv = new Scope(env);
        iterEnv.define(index.name, { k: "int", v: Dim.const(i) });
      }
      // `repeat n sequential(A, B)`: PyTorch's ModuleList of Sequentials (`layers.3.0`, `layers.3.1`).
      const caught = this.caught;
      const child = calleeV
        ? this.instantiate(calleeV, same ?? evalArgs(call.args, { env: iterEnv }), String(i), `${path}.${i}`, call.span, argOverrides)
        : this.sequential(call, iterEnv, String(i), `${path}.${i}`);
      children.set(String(i), child);
      // The first layer with errors ends the stack: the model is not compiled, and the other
      // layers would mostly repeat them (100,000 of them took seconds).
      if (this.caught > caught) break;
    }
    return stackOf(children);
  }

  /** `name = sequential(A(...), B(...))`: PyTorch's nn.Sequential. Its layers are named by
   *  position (`name.0`, `name.1`, as a checkpoint's state dict names them) and calling it
   *  applies them in order, as a repeat stack does; unlike a stack's, they may differ. */
  private sequential(call: CallExpr, env: Scope, name: string, path: string): Instance {
    if (call.args.length === 0) fail("MM3002", call.span, { name: "layers", callee: "sequential" });
    const children = new Map<string, Instance>();
    call.args.forEach((a, i) => {
      if (a.name || a.value.kind !== "Call") {
        fail("MM3018", a.span, { what: "a layer of sequential", expected: "a block call, `Linear(768, 512)`", actual: a.name ? `a named argument '${a.name.name}'` : "another expression" });
      }
      const calleeV = evalExpr(a.value.callee, { env });
      if (calleeV.k !== "block") {
        fail("MM3010", a.value.callee.span, { name: a.value.callee.kind === "Name" ? a.value.callee.name : "callee", what: typeName(calleeV), expected: "a block" });
      }
      children.set(String(i), this.instantiate(calleeV, evalArgs(a.value.args, { env }), String(i), `${path}.${i}`, a.value.span));
    });
    return {
      path, name, kind: "stack", declName: "sequential", args: new Map(), explicitArgs: new Set(), env: new Map(), params: [], children, span: call.span,
    };
  }

  private ema(call: CallExpr, env: Scope, name: string, path: string): Instance {
    const srcArg = call.args.find((a) => !a.name);
    if (!srcArg) fail("MM3002", call.span, { name: "source", callee: "ema" });
    const src = evalExpr(srcArg.value, { env });
    if (src.k !== "instance") fail("MM3018", srcArg.value.span, { what: "the source of ema", expected: "a submodule", actual: typeName(src) });
    const m = call.args.find((a) => a.name?.name === "momentum");
    const mv = m ? evalExpr(m.value, { env }) : { k: "float" as const, v: 0.995 };
    const momentum = mv.k === "float" ? mv.v : mv.k === "int" ? (mv.v.constValue() ?? NaN) : NaN;
    if (!(momentum >= 0 && momentum < 1)) fail("MM3018", m?.value.span ?? call.span, { what: "momentum", expected: "a Float in [0, 1)", actual: String(momentum) });
    return cloneAsEma(src.inst, name, path, momentum, call.span);
  }
}


/** A path without its repeat indices (`layers.3.attn` → `layers.attn`): what a variant's
 *  override names. Most paths have no index, and then it is the path itself. */
export function overrideKey(path: string): string {
  if (!HAS_INDEX.test(path)) return path;
  return path.split(".").filter((s) => !/^\d+$/.test(s)).join(".");
}

const HAS_INDEX = /(?:^|\.)\d+(?:\.|$)/;


