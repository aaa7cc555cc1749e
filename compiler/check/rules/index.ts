// Every check rule, by the moment it runs (rule.ts has the contract). A new rule is a file
// in this folder, added here; test/check/rules.test.ts holds the list complete.
import { lossStatementFloat } from "./loss-float.js";
import { lossBlockScalar, lossStatementScalar } from "./loss-scalar.js";
import { outputAssigned } from "./output-assigned.js";
import type { ForwardEnd, ModelEnd, Rule } from "./rule.js";
import { taskReferences } from "./task-references.js";
import { unusedForwardInputs, unusedModelInputs } from "./unused-input.js";

/** When a forward returns; an error stops the call (its result would not be usable). */
export const FORWARD_RULES: readonly Rule<ForwardEnd>[] = [outputAssigned, lossBlockScalar];

/** When a model has been traced, in this order. */
export const MODEL_RULES: readonly Rule<ModelEnd>[] = [lossStatementScalar, lossStatementFloat, unusedModelInputs, unusedForwardInputs, taskReferences];

export const ALL_RULES: readonly Rule<never>[] = [...FORWARD_RULES, ...MODEL_RULES] as readonly Rule<never>[];
export { runRules, type ForwardEnd, type ModelEnd, type Rule } from "./rule.js";
export { unusedInputsOf } from "./unused-input.js";
