// Checks one elaborated model: traces its forward over its inputs, then runs the
// model-level rules. The result is what every later stage consumes.
import { DiagnosticBag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { Scope } from "../elaborate/env.js";
import type { ElaboratedModel } from "../elaborate/instance.js";
import { PoisonError, type Value } from "../elaborate/values.js";
import { Dim } from "../base/dims.js";
import { DEFAULT_LIMITS, type Limits } from "../base/limits.js";
import type { Graph } from "./graph.js";
import { checkSize, Frame } from "./frame.js";
import { MODEL_RULES, runRules, type ModelEnd } from "./rules/index.js";
import { execStmts, type BodyState } from "./stmts.js";
import { Tracer } from "./tracer.js";

export interface CheckedModel {
  readonly model: ElaboratedModel;
  /** Present when the model has a forward and tracing succeeded. */
  readonly graph?: Graph;
  readonly diagnostics: readonly Diagnostic[];
}

/** `checkOnly`: report diagnostics, memoizing identical calls (in `memo`, which callers may
 *  share between models); no graph is returned. `bind`: symbolic dims of the inputs given
 *  values before tracing, so every shape and op argument folds to a constant (the
 *  differential test's "constant" compile, against which the symbolic one is compared). */
export interface CheckOptions {
  readonly checkOnly?: boolean;
  readonly memo?: Map<string, Value>;
  readonly bind?: ReadonlyMap<string, number>;
  /** Training semantics (`training` is true in forward bodies): batch statistics and buffer
   *  updates. The default is eval mode, how checkpoints run. */
  readonly training?: boolean;
  readonly limits?: Limits;
}

export function checkModel(model: ElaboratedModel, opts: CheckOptions = {}): CheckedModel {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const bag = new DiagnosticBag(limits.errors);
  const tracer = new Tracer(bag, { ...(opts.checkOnly ? { memo: opts.memo ?? new Map() } : {}), ...(opts.training ? { training: true } : {}), limits });
  const fwd = model.root.forward;
  let traced = false;
  let completed = false;
  const outputs = new Set<string>();
  const losses = new Set<string>();
  const lossTypes: ModelEnd["lossTypes"][number][] = [];
  if (fwd) {
    try {
      const scope = new Scope(tracer.baseEnv(model.root));
      const bound = new Map([...(opts.bind ?? [])].map(([k, v]) => [k, Dim.const(v)]));
      for (const i of model.inputs) {
        const dims = bound.size ? i.dims.map((d) => d.substitute(bound)) : i.dims;
        checkSize(dims, i.span);
        const t = tracer.graph.addInput(i.name, { shape: dims, dtype: i.dtype }, i.span);
        scope.define(i.name, { k: "tensor", t });
        tracer.record("", "input", i.name, t.type);
        for (const d of i.dims) for (const sym of d.symbols()) if (!scope.hasOwn(sym)) scope.define(sym, { k: "int", v: bound.get(sym) ?? Dim.sym(sym) });
      }
      const st: BodyState = {
        isModel: true, namedOutputs: new Set(), assigned: new Map(),
        modelOutputs: new Map(), modelLosses: new Map(),
      };
      execStmts(fwd.body, scope, new Frame(tracer, model.root, ""), st);
      for (const [name, o] of st.modelOutputs) {
        if (o.value.k === "tensor") tracer.graph.outputs.push({ name, value: o.value.t.id });
        outputs.add(name);
      }
      for (const [name, l] of st.modelLosses) {
        if (l.value.k === "tensor") {
          lossTypes.push({ name, type: l.value.t.type, span: l.span });
          tracer.graph.losses.push({ name, value: l.value.t.id });
        }
        losses.add(name);
      }
      for (const n of st.poisoned ?? []) {
        outputs.add(n);
        losses.add(n);
      }
      completed = true;
      traced = !st.failed;
    } catch (e) {
      if (e instanceof DiagnosticError) bag.add(e.diagnostic);
      else if (!(e instanceof PoisonError)) throw e;
    }
  }
  const end: ModelEnd = { model, ...(fwd ? { forward: fwd } : {}), outputs, losses, lossTypes, traced, completed, facts: tracer.facts };
  for (const d of runRules(MODEL_RULES, end)) bag.add(d);
  return { model, ...(traced && !opts.checkOnly ? { graph: tracer.graph.finish() } : {}), diagnostics: bag.items };
}
