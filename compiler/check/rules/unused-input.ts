// Rule (warning): a forward input or model input that the forward never mentions.
// The check is syntactic: an input read only in a branch that this instance does not take
// (`if cross { ... context ... }`) is still used by the declaration.
import type { ForwardItem } from "../../ast/ast.js";
import { namesRead } from "../../ast/walk.js";
import { diag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ForwardFacts } from "../tracer.js";
import type { ModelEnd, Rule } from "./rule.js";

/** Once per forward declaration that was traced. */
export const unusedForwardInputs: Rule<{ readonly facts: readonly ForwardFacts[] }> = {
  name: "unused-forward-input", codes: ["MM5002"],
  check({ facts }, report) {
    const forwards = new Set<ForwardItem>();
    for (const f of facts) if (f.inst.forward) forwards.add(f.inst.forward);
    for (const d of unusedInputsOf(forwards)) report(d);
  },
};

/** A model input its forward never reads (once the forward has run to its end). */
export const unusedModelInputs: Rule<ModelEnd> = {
  name: "unused-model-input", codes: ["MM5002"],
  check({ model, forward, completed }, report) {
    if (!forward || !completed) return;
    const read = namesRead(forward.body);
    for (const i of model.inputs) if (!read.has(i.name)) report(diag("MM5002", i.span, { name: i.name }, { hint: "remove the input or use it in the forward" }));
  },
};

/** The unused inputs of some forward declarations (also for blocks checked untraced). */
export function unusedInputsOf(forwards: Iterable<ForwardItem>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const fwd of forwards) {
    const read = namesRead(fwd.body);
    for (const i of fwd.inputs) {
      if (!read.has(i.name.name) && !i.name.name.startsWith("_")) {
        out.push(diag("MM5002", i.name.span, { name: i.name.name }, { hint: `remove it, or name it _${i.name.name} to keep it unused on purpose` }));
      }
    }
  }
  return out;
}
