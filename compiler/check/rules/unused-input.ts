// Rule (warning): a forward input or model input that nothing reads.
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { diag } from "../../diagnostics/diagnostic.js";
import type { ForwardItem } from "../../ast/ast.js";
import type { ForwardFacts } from "../tracer.js";

/** Warns once per forward declaration, only when no call of it read the input. */
export function unusedForwardInputs(facts: readonly ForwardFacts[]): Diagnostic[] {
  const reads = new Map<ForwardItem, Set<string>>();
  for (const f of facts) {
    const fwd = f.inst.forward;
    if (!fwd) continue;
    const s = reads.get(fwd) ?? new Set<string>();
    for (const r of f.reads) s.add(r);
    reads.set(fwd, s);
  }
  const out: Diagnostic[] = [];
  for (const [fwd, s] of reads) {
    for (const i of fwd.inputs) {
      if (!s.has(i.name.name) && !i.name.name.startsWith("_")) {
        out.push(diag("MM5002", i.name.span, { name: i.name.name }, { hint: `remove it, or name it _${i.name.name} to keep it unused on purpose` }));
      }
    }
  }
  return out;
}

export function unusedModelInputs(inputs: readonly { name: string; span: import("../../ast/ast.js").Span }[], reads: ReadonlySet<string>): Diagnostic[] {
  return inputs.filter((i) => !reads.has(i.name)).map((i) => diag("MM5002", i.span, { name: i.name }, { hint: "remove the input or use it in the forward" }));
}
