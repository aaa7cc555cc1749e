// `mm check` on a file of blocks: a block whose parameters all have defaults is
// instantiated and its forward traced over inputs made from its own signature (symbolic
// dims stay symbolic, `...` becomes one batch dim), so library files are checked too.
import { DEFAULT_LIMITS, type Limits } from "../base/limits.js";
import type { BlockDecl } from "../ast/ast.js";
import { DiagnosticBag, DiagnosticError, type Diagnostic } from "../diagnostics/diagnostic.js";
import { Elaborator } from "../elaborate/elaborate.js";
import type { EvArg } from "../elaborate/eval.js";
import { PoisonError, type Value } from "../elaborate/values.js";
import type { FileScope } from "../resolve/scope.js";
import { evalPattern } from "./call.js";
import { Dim } from "../base/dims.js";
import { evalDType } from "../elaborate/items.js";
import { runRules, unusedInputsOf } from "./rules/index.js";
import { unusedForwardInputs } from "./rules/unused-input.js";
import { Tracer } from "./tracer.js";

/** `memo`: the session's check-only call results (see memo.ts), shared with its models. */
export function checkStandaloneBlock(
  decl: BlockDecl, home: FileScope, sources: ReadonlyMap<string, string>, memo: Map<string, Value>, limits: Limits = DEFAULT_LIMITS,
): Diagnostic[] {
  if (decl.params.some((p) => !p.default)) return [];
  const bag = new DiagnosticBag(limits.errors);
  const elab = new Elaborator(bag, sources, new Map(), limits);
  const inst = elab.guard(() => elab.instantiate({ k: "block", decl, scope: home, bound: new Map() }, [], "", "", decl.name.span));
  if (!inst || bag.errorCount > 0 || !inst.forward?.hasSignature) return bag.items;
  // Optional tensor inputs may be meant to come in some combinations only ("either a or b"):
  // without a caller to say which, such a block is elaborated but not traced.
  if (inst.forward.inputs.some((i) => i.default && i.type.kind === "TensorType")) return [...bag.items, ...unusedInputsOf([inst.forward])];
  const tracer = new Tracer(bag, { memo, limits });
  try {
    const args: EvArg[] = [];
    for (const inp of inst.forward.inputs) {
      if (inp.default) continue;
      if (inp.type.kind !== "TensorType") return bag.items; // needs a compile-time value we cannot invent
      const shape = evalPattern(inp.type, inst).map((d) => (d === "..." ? Dim.sym("N") : d));
      const t = tracer.graph.addInput(inp.name.name, { shape, dtype: evalDType(inp.type, "float32") }, inp.span);
      args.push({ name: inp.name.name, value: { k: "tensor", t }, span: inp.span });
    }
    tracer.call(inst, args, decl.name.span);
  } catch (e) {
    if (e instanceof DiagnosticError) bag.add(e.diagnostic);
    else if (!(e instanceof PoisonError)) throw e;
  }
  for (const d of runRules([unusedForwardInputs], { facts: tracer.facts })) bag.add(d);
  return bag.items;
}
