// Rule: a loss (a `loss` block's result, or a model's `loss` statement) is a scalar.
import { formatShape } from "../../base/tensor.js";
import { diag } from "../../diagnostics/diagnostic.js";
import type { ForwardEnd, ModelEnd, Rule } from "./rule.js";

const HINT = "reduce it: `mean(x)` or `sum(x)`, or use reduction: \"mean\"";

export const lossBlockScalar: Rule<ForwardEnd> = {
  name: "loss-block-scalar", codes: ["MM5003"],
  check({ inst, returned }, report) {
    if (inst.kind !== "loss" || returned?.value.k !== "tensor" || returned.value.t.type.shape.length === 0) return;
    const name = inst.path ? `${inst.path} (${inst.declName})` : inst.declName;
    report(diag("MM5003", returned.span, { name, shape: formatShape(returned.value.t.type.shape) }, { hint: HINT }));
  },
};

export const lossStatementScalar: Rule<ModelEnd> = {
  name: "loss-statement-scalar", codes: ["MM5003"],
  check({ lossTypes }, report) {
    for (const l of lossTypes) if (l.type.shape.length !== 0) report(diag("MM5003", l.span, { name: l.name, shape: formatShape(l.type.shape) }, { hint: HINT }));
  },
};
