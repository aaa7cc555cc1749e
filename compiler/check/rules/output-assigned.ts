// Rule: every named output of a forward is assigned.
import type { ForwardItem, Span } from "../../ast/ast.js";
import { fail } from "../../diagnostics/diagnostic.js";
import type { Value } from "../../elaborate/values.js";

export function checkOutputsAssigned(fwd: ForwardItem, assigned: ReadonlyMap<string, { value: Value; span: Span }>, blockName: string): void {
  for (const o of fwd.outputs) {
    if (o.name && !assigned.has(o.name.name)) {
      fail("MM5001", o.name.span, { name: o.name.name }, { hint: `assign it in the forward of ${blockName}: \`${o.name.name} = ...\`` });
    }
  }
}
