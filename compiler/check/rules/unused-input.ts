// Rule (warning): a forward input or model input that the forward never mentions.
// The check is syntactic: an input read only in a branch that this instance does not take
// (`if cross { ... context ... }`) is still used by the declaration.
import type { ForwardItem, Span } from "../../ast/ast.js";
import { namesRead } from "../../ast/walk.js";
import { diag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { ForwardFacts } from "../tracer.js";

/** Warns once per forward declaration that was traced. */
export function unusedForwardInputs(facts: readonly ForwardFacts[]): Diagnostic[] {
  const forwards = new Set<ForwardItem>();
  for (const f of facts) if (f.inst.forward) forwards.add(f.inst.forward);
  return unusedInputsOf(forwards);
}

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

export function unusedModelInputs(inputs: readonly { name: string; span: Span }[], fwd: ForwardItem): Diagnostic[] {
  const read = namesRead(fwd.body);
  return inputs.filter((i) => !read.has(i.name)).map((i) => diag("MM5002", i.span, { name: i.name }, { hint: "remove the input or use it in the forward" }));
}
