// Rule: every named output of a forward is assigned.
import { diag } from "../../diagnostics/diagnostic.js";
import type { ForwardEnd, Rule } from "./rule.js";

export const outputAssigned: Rule<ForwardEnd> = {
  name: "output-assigned", codes: ["MM5001"],
  check({ inst, fwd, assigned }, report) {
    if (!fwd.namedOutputs) return;
    for (const o of fwd.outputs) {
      if (o.name && !assigned.has(o.name.name)) {
        report(diag("MM5001", o.name.span, { name: o.name.name }, { hint: `assign it in the forward of ${inst.declName}: \`${o.name.name} = ...\`` }));
      }
    }
  },
};
