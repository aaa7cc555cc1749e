// The contract of a check rule: a name, the codes it reports, and one function from the
// facts of its moment to diagnostics, reported through `report`. Rules run at two moments:
// when a forward returns (its outputs and result are known) and when a model is traced (its
// outputs, losses, tasks and stages are known). rules/index.ts lists every rule; the callers
// run a moment's rules in that order. A rule never throws: a caller that cannot go on after
// an error (a forward whose result is unusable) stops there itself.
import type { ForwardItem, Span } from "../../ast/ast.js";
import type { TensorType } from "../../base/tensor.js";
import type { Code } from "../../diagnostics/codes.js";
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ElaboratedModel, Instance } from "../../elaborate/instance.js";
import type { Value } from "../../elaborate/values.js";
import type { ForwardFacts } from "../tracer.js";

export type Report = (d: Diagnostic) => void;

export interface Rule<Facts> {
  readonly name: string;
  readonly codes: readonly Code[];
  check(facts: Facts, report: Report): void;
}

/** A forward that has run: its instance and declaration, what it assigned or returned. */
export interface ForwardEnd {
  readonly inst: Instance;
  readonly fwd: ForwardItem;
  readonly assigned: ReadonlyMap<string, { readonly value: Value; readonly span: Span }>;
  readonly returned?: { readonly value: Value; readonly span: Span };
}

/** A model that has been traced (or failed to be: `traced` false). */
export interface ModelEnd {
  readonly model: ElaboratedModel;
  readonly forward?: ForwardItem;
  readonly outputs: ReadonlySet<string>;
  readonly losses: ReadonlySet<string>;
  /** The model's `loss` statements that produced a tensor, with their types. */
  readonly lossTypes: readonly { readonly name: string; readonly type: TensorType; readonly span: Span }[];
  readonly traced: boolean;
  /** Whether the forward ran to its end (no error stopped it; `traced` also needs every
   *  output to be usable). */
  readonly completed: boolean;
  /** Every forward the trace ran (for rules about declarations, not instances). */
  readonly facts: readonly ForwardFacts[];
}

/** Runs rules in order, collecting what they report. */
export function runRules<F>(rules: readonly Rule<F>[], facts: F): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of rules) r.check(facts, (d) => out.push(d));
  return out;
}
