// Rule: a model's `loss` statement is a floating-point value: an integer "loss" (a count, an
// argmax) has no gradient, and training on it would silently do nothing.
import { diag } from "../../diagnostics/diagnostic.js";
import type { ModelEnd, Rule } from "./rule.js";

export const lossStatementFloat: Rule<ModelEnd> = {
  name: "loss-statement-float", codes: ["MM4010"],
  check({ lossTypes }, report) {
    for (const l of lossTypes) {
      if (l.type.dtype.startsWith("float") || l.type.dtype === "bfloat16") continue;
      report(diag("MM4010", l.span, { what: `loss '${l.name}'`, expected: "a floating-point scalar", actual: l.type.dtype },
        { hint: "a loss needs a gradient: compute it from float tensors, or `cast(x, dtype: \"float32\")` first" }));
    }
  },
};
