// The tracer runs every forward of an elaborated model symbolically: it is the shape
// checker, and the graph it records is what the backends compile.
import type { ForwardItem, Span } from "../ast/ast.js";
import { DiagnosticBag, fail } from "../diagnostics/diagnostic.js";
import type { ContextLink } from "../diagnostics/context.js";
import { MapEnv, type Env } from "../elaborate/env.js";
import type { EvArg } from "../elaborate/eval.js";
import type { Instance } from "../elaborate/instance.js";
import { instanceEnv } from "../elaborate/model.js";
import { PoisonError, type Value } from "../elaborate/values.js";
import { GraphBuilder } from "./builder.js";
import type { ShapeRecord } from "./graph.js";
import { bindForwardArgs, checkOutput } from "./call.js";
import { Frame } from "./frame.js";
import { callRouted } from "./route.js";
import { FORWARD_RULES, runRules, type ForwardEnd } from "./rules/index.js";
import { callKey } from "./memo.js";
import { execStmts, type BodyState } from "./stmts.js";
import type { TensorType } from "../base/tensor.js";
import { DEFAULT_LIMITS, MAX_INSTANCE_DEPTH, raiseHint, type Limits } from "../base/limits.js";

/** What the rules need to know about the forwards that ran. */
/** Never written (see the BodyState of a block call in `call`). */
const NO_ENTRIES = new Map<string, { value: Value; span: Span }>();

/** The names of a forward's named outputs, once per forward. */
const outputNames = new WeakMap<ForwardItem, ReadonlySet<string>>();
function namedOutputs(fwd: ForwardItem): ReadonlySet<string> {
  let names = outputNames.get(fwd);
  if (names === undefined) outputNames.set(fwd, (names = new Set(fwd.namedOutputs ? fwd.outputs.map((o) => o.name!.name) : [])));
  return names;
}

export interface ForwardFacts {
  readonly inst: Instance;
}

export class Tracer {
  readonly graph: GraphBuilder;
  readonly facts: ForwardFacts[] = [];
  private readonly calls = new Map<string, number>();
  private currentCall = new Map<string, number>();
  private depth = 0;
  /** The calls under way, outermost first: the chain a diagnostic in a body carries. */
  readonly links: ContextLink[] = [];

  /** Results of earlier calls, when memoizing (check-only tracing, see memo.ts). */
  private readonly memo?: Map<string, Value>;

  /** `training` in forward bodies: PyTorch's `self.training`. Models compile in eval mode
   *  (running statistics, no dropout) unless asked for training semantics. */
  private readonly modeNames: ReadonlyMap<string, Value>;
  /** Each instance's env with `training` under it, made once (forward calls run by the thousand). */
  private readonly modeEnvs = new WeakMap<Instance, Env>();

  /** `memo`: a map of call results to share (a session shares one across its models,
   *  since instance keys are structural); pass one to memoize. */
  constructor(readonly bag: DiagnosticBag, opts: { memo?: Map<string, Value>; training?: boolean; limits?: Pick<Limits, "ops"> } = {}) {
    if (opts.memo) this.memo = opts.memo;
    this.opBudget = opts.limits?.ops ?? DEFAULT_LIMITS.ops;
    this.modeNames = new Map([["training", { k: "bool", v: opts.training === true }]]);
    // Memoized tracing is check-only: its graph is never read.
    this.graph = new GraphBuilder(opts.memo === undefined);
  }

  /** Operations (ops and calls) traced so far, within `opBudget` (MM7002, then silence). */
  private ops = 0;
  private readonly opBudget: number;

  /** One more operation at `span`; past the budget, MM7002 once, then a silent poison that
   *  ends each statement still to run. */
  spend(span: Span, n = 1): void {
    const before = this.ops;
    this.ops += n;
    if (this.ops <= this.opBudget) return;
    if (before <= this.opBudget) {
      fail("MM7002", span, { what: "this model", limit: this.opBudget.toLocaleString("en-US") }, { hint: raiseHint("ops") });
    }
    throw new PoisonError();
  }

  /** What a memoized call cost when it was traced: a replay spends as much, so a check counts
   *  what a compile (which never memoizes) would trace, and what one accepts the other can. */
  private static readonly costs = new WeakMap<Value, number>();

  /** The cost of the call `memoKey` names, when it is memoized. */
  costOf(key: string): number | undefined {
    const hit = this.memo?.get(key);
    return hit ? Tracer.costs.get(hit) : undefined;
  }

  record(scope: string, role: ShapeRecord["role"], name: string, type: TensorType): void {
    if (!this.graph.keeps) return;
    this.graph.shape({ scope, call: this.currentCall.get(scope) ?? 0, role, name, type });
  }

  /** The names a forward body sees before its inputs: the instance's compile-time names,
   *  children and params. */
  baseEnv(inst: Instance): Env {
    let env = this.modeEnvs.get(inst);
    if (!env) this.modeEnvs.set(inst, (env = new FallbackEnv(instanceEnv(inst), this.modeNames)));
    // Most blocks that call others hold no tensors of their own: no layer for them then.
    if (inst.params.length === 0 && !inst.absentParams?.length) return env;
    const params = new Map<string, Value>();
    for (const p of inst.params) params.set(p.name, { k: "tensor", t: this.graph.param(p.path, { shape: p.shape, dtype: p.dtype }, p.span) });
    for (const n of inst.absentParams ?? []) params.set(n, { k: "none" });
    return new MapEnv(params, env);
  }

  /** The memo key of a call, when this trace memoizes (check-only) and the call has one. */
  memoKey(inst: Instance, args: readonly EvArg[]): string | undefined {
    return this.memo ? callKey(inst, args) : undefined;
  }

  call(inst: Instance, args: readonly EvArg[], span: Span): Value {
    if (inst.route && !inst.forward) return callRouted(this, inst, args, span);
    const fwd = inst.forward;
    if (!fwd && inst.kind === "experts") throw new PoisonError(); // MM5005 at its declaration (resolve/loader.ts)
    if (!fwd) fail("MM5006", span, { name: `${inst.path} (${inst.declName})` }, inst.decl ? { related: [{ span: inst.decl.name.span, message: "declared here" }] } : {});
    const key = this.memo ? callKey(inst, args) : undefined;
    const hit = key !== undefined ? this.memo!.get(key) : undefined;
    if (hit) {
      this.spend(span, Tracer.costs.get(hit) ?? 1);
      return this.replay(hit, args, inst.path, span);
    }
    const opsBefore = this.ops;
    this.spend(span);
    // Calls nest as instances do, which the elaborator bounds; this is the tracer's own guard.
    if (++this.depth > MAX_INSTANCE_DEPTH) {
      this.depth--;
      fail("MM3019", span, { name: inst.declName, limit: MAX_INSTANCE_DEPTH, chain: "forward calls" });
    }
    // Call numbers only label shape records, which a check-only graph does not keep.
    const keeps = this.graph.keeps;
    const prevCall = keeps ? this.enterCall(inst.path) : undefined;
    this.links.push({ span, path: inst.path, declName: inst.declName });
    try {
      const b = bindForwardArgs(inst, fwd.inputs, args, span, this.baseEnv(inst));
      if (keeps) for (const [name, t] of b.tensorInputs) this.record(inst.path, "input", name, t.type);
      // Dims bound by the signature (B, T, ...) are readable in the body.
      for (const [k, v] of b.dims) if (!b.scope.hasOwn(k)) b.scope.define(k, { k: "int", v });
      const frame = new Frame(this, inst, inst.path, b.dims);
      const st: BodyState = {
        // A block's body writes `assigned` only for named outputs, and never model outputs or
        // losses (a block's `output` statement fails first): most calls need no collection.
        isModel: false, namedOutputs: namedOutputs(fwd),
        assigned: fwd.namedOutputs ? new Map() : NO_ENTRIES, modelOutputs: NO_ENTRIES, modelLosses: NO_ENTRIES,
      };
      execStmts(fwd.body, b.scope, frame, st);
      // A failed statement may have stopped before reading an input: no unused-input facts then.
      if (st.failed) throw new PoisonError(); // already reported inside
      this.facts.push({ inst });
      const out = this.result(inst, fwd, st, b, span);
      if (key !== undefined) {
        this.memo!.set(key, out);
        Tracer.costs.set(out, this.ops - opsBefore);
      }
      return out;
    } finally {
      this.depth--;
      this.links.pop();
      if (keeps) {
        if (prevCall === undefined) this.currentCall.delete(inst.path);
        else this.currentCall.set(inst.path, prevCall);
      }
    }
  }

  /** Numbers this call of `path` (the shape records of its body carry it); returns the
   *  number of the call it is nested in, if any, to restore on return. */
  private enterCall(path: string): number | undefined {
    const n = this.calls.get(path) ?? 0;
    this.calls.set(path, n + 1);
    const prev = this.currentCall.get(path);
    this.currentCall.set(path, n);
    return prev;
  }

  /** A memoized call: fresh values of the remembered types, computed by one opaque node
   *  (the check-only graph is never compiled). */
  private replay(v: Value, args: readonly EvArg[], scope: string, span: Span): Value {
    const types: TensorType[] = [];
    const collect = (x: Value): void => {
      if (x.k === "tensor") { types.push(x.t.type); x.results?.forEach(collect); }
      else if (x.k === "record") x.fields.forEach(collect);
      else if (x.k === "tuple" || x.k === "list") x.items.forEach(collect);
    };
    collect(v);
    const inputs = args.flatMap((a) => (a.value.k === "tensor" ? [a.value.t] : []));
    const outs = this.graph.node("memoized_call", inputs, {}, types, scope, span);
    let i = 0;
    const rebuild = (x: Value): Value => {
      if (x.k === "tensor") {
        const t = outs[i++]!;
        return x.results ? { k: "tensor", t, results: new Map([...x.results].map(([k, r]) => [k, rebuild(r)])) } : { k: "tensor", t };
      }
      if (x.k === "record") return { k: "record", fields: new Map([...x.fields].map(([k, f]) => [k, rebuild(f)])) };
      if (x.k === "tuple") return { k: "tuple", items: x.items.map(rebuild) };
      if (x.k === "list") return { k: "list", items: x.items.map(rebuild) };
      return x;
    };
    return rebuild(v);
  }

  private result(inst: Instance, fwd: NonNullable<Instance["forward"]>, st: BodyState, b: ReturnType<typeof bindForwardArgs>, span: Span): Value {
    if (fwd.namedOutputs) {
      this.forwardRules({ inst, fwd, assigned: st.assigned });
      const fields = new Map<string, Value>();
      for (const o of fwd.outputs) {
        const a = st.assigned.get(o.name!.name)!;
        if (o.type.kind === "TensorType") checkOutput(inst, o.type, a.value, a.span, b, o.name!.name);
        fields.set(o.name!.name, a.value);
      }
      return { k: "record", fields };
    }
    if (!st.returned) fail("MM5007", fwd.span, { name: inst.declName }, { hint: "end the forward with `return expr`" });
    const out = fwd.outputs[0];
    if (out?.type.kind === "TensorType") checkOutput(inst, out.type, st.returned.value, st.returned.span, b, undefined);
    if (st.returned.value.k === "tensor") this.record(inst.path, "output", "return", st.returned.value.t.type);
    this.forwardRules({ inst, fwd, assigned: st.assigned, returned: st.returned });
    void span;
    return st.returned.value;
  }

  /** The forward rules (rules/index.ts); an error stops the call, as its result is unusable. */
  private forwardRules(end: ForwardEnd): void {
    const ds = runRules(FORWARD_RULES, end);
    for (const d of ds) this.bag.add(d);
    if (ds.some((d) => d.severity === "error")) throw new PoisonError();
  }
}

/** `own`, then `fallback`: `training` is looked up after everything a block names itself, so
 *  a block's own name of that spelling shadows it. */
class FallbackEnv implements Env {
  constructor(private readonly own: Env, private readonly fallback: ReadonlyMap<string, Value>) {}
  lookup(name: string): Value | undefined {
    return this.own.lookup(name) ?? this.fallback.get(name);
  }
  names(): string[] {
    return [...this.own.names(), ...this.fallback.keys()];
  }
}
