// What a `route topk(k, gate: g)` experts block routes between: its gate, its experts (the
// other submodules, or the layers of the one repeat stack among them) and k. The checker
// traces the dense mixture from this; the tools count what a sparse dispatch would spend
// (the gate plus the k largest experts) from it.
import { DiagnosticError } from "../diagnostics/diagnostic.js";
import { evalExpr } from "./eval.js";
import type { Instance } from "./instance.js";
import { instanceEnv } from "./model.js";
import { PoisonError } from "./values.js";

export interface TopKRoute {
  readonly gate: Instance;
  readonly experts: readonly Instance[];
  /** Undefined when k is not a constant Int in 1..experts (the checker reports it). */
  readonly k: number | undefined;
}

/** The experts of a routed block other than the gate. */
export function routedExperts(inst: Instance, gateName: string): Instance[] {
  const others = [...inst.children].filter(([n]) => n !== gateName).map(([, c]) => c);
  return others.length === 1 && others[0]!.kind === "stack" ? [...others[0]!.children.values()] : others;
}

/** The top-k route of an experts block, or undefined when it has none (or no usable gate). */
export function topKRoute(inst: Instance): TopKRoute | undefined {
  const route = inst.route;
  if (!route || inst.forward || route.strategy.name !== "topk") return undefined;
  const gateArg = route.args.find((a) => a.name?.name === "gate");
  const kArg = route.args.find((a) => !a.name);
  if (!gateArg || gateArg.value.kind !== "Name" || !kArg) return undefined;
  const gate = inst.children.get(gateArg.value.name);
  if (!gate) return undefined;
  const experts = routedExperts(inst, gateArg.value.name);
  let k: number | undefined;
  try {
    const v = evalExpr(kArg.value, { env: instanceEnv(inst) });
    const c = v.k === "int" ? v.v.constValue() : undefined;
    k = c !== undefined && c >= 1 && c <= experts.length ? c : undefined;
  } catch (e) {
    if (!(e instanceof DiagnosticError || e instanceof PoisonError)) throw e;
    k = undefined; // a bad k is the checker's to report (MM5005)
  }
  return { gate, experts, k };
}
