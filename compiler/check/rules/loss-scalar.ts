// Rule: a loss (a `loss` block's result, or a model's `loss` statement) is a scalar.
import type { Span } from "../../ast/ast.js";
import { fail } from "../../diagnostics/diagnostic.js";
import type { Instance } from "../../elaborate/instance.js";
import { formatShape, type TensorType } from "../../base/tensor.js";

const HINT = "reduce it: `mean(x)` or `sum(x)`, or use reduction: \"mean\"";

export function checkLossBlockScalar(inst: Instance, t: TensorType, span: Span): void {
  if (t.shape.length !== 0) fail("MM5003", span, { name: inst.path ? `${inst.path} (${inst.declName})` : inst.declName, shape: formatShape(t.shape) }, { hint: HINT });
}

export function checkLossStatementScalar(name: string, t: TensorType, span: Span): void {
  if (t.shape.length !== 0) fail("MM5003", span, { name, shape: formatShape(t.shape) }, { hint: HINT });
}
