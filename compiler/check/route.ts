// Experts blocks without their own forward: `route by modality` sends each token span to
// the expert named for its modality; `route topk(k, gate: g)` mixes the k best experts
// per token, weighted by the gate's renormalised softmax (computed densely). A top-k call's
// result carries router_logits, router_probs, expert_indices and expert_mask as members.
import type { Span } from "../ast/ast.js";
import { fail } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { evalExpr, type EvArg } from "../elaborate/eval.js";
import type { Instance } from "../elaborate/instance.js";
import { instanceEnv } from "../elaborate/model.js";
import { routedExperts } from "../elaborate/routing.js";
import { typeName, type Value } from "../elaborate/values.js";
import { Dim } from "../base/dims.js";
import { Frame } from "./frame.js";
import type { Tracer } from "./tracer.js";

const int = (n: number | Dim): Value => ({ k: "int", v: typeof n === "number" ? Dim.const(n) : n });

export function callRouted(tracer: Tracer, inst: Instance, args: readonly EvArg[], span: Span): Value {
  const route = inst.route!;
  const frame = new Frame(tracer, inst, inst.path);
  const x = args.find((a) => a.name === undefined || a.name === "x");
  if (!x || x.value.k !== "tensor") fail("MM4012", span, { callee: inst.path, detail: "a routed experts block takes a tensor `x` first" });
  const rest = args.filter((a) => a !== x && a.name !== "modality" && a.name !== "split");
  const strategy = route.strategy.name;
  if (strategy === "modality") {
    const modality = args.find((a) => a.name === "modality");
    if (!modality) fail("MM4012", span, { callee: inst.path, detail: "pass modality: \"<expert>\" (or a list with split: [sizes])" }, { hint: `experts: ${[...inst.children.keys()].join(", ")}` });
    const expert = (v: Value, s: Span): Instance => {
      if (v.k !== "string" && v.k !== "enum") fail("MM3018", s, { what: "modality", expected: "an expert name", actual: typeName(v) });
      const name = v.k === "string" ? v.v : v.member;
      const child = inst.children.get(name);
      if (!child) fail("MM5005", s, { detail: `${inst.declName} has no expert '${name}'` }, { hint: didYouMean(name, inst.children.keys()) ?? `experts: ${[...inst.children.keys()].join(", ")}` });
      return child;
    };
    if (modality.value.k !== "list") return tracer.call(expert(modality.value, modality.span), [{ value: x.value, span: x.span }, ...rest], span);
    const split = args.find((a) => a.name === "split");
    if (!split || split.value.k !== "list") fail("MM4012", span, { callee: inst.path, detail: "a list of modalities needs split: [sizes] along the sequence axis" });
    const parts = frame.op("split", [{ value: x.value, span }, { name: "sizes", value: split.value, span: split.span }, { name: "axis", value: int(1), span }], span);
    const pieces = parts.k === "tuple" ? parts.items : [parts];
    if (pieces.length !== modality.value.items.length) fail("MM5005", split.span, { detail: `${modality.value.items.length} modalities but ${pieces.length} split sizes` });
    const outs = pieces.map((p, i) => tracer.call(expert(modality.value.k === "list" ? modality.value.items[i]! : modality.value, modality.span), [{ value: p, span }, ...rest], span));
    return frame.op("concat", [{ value: { k: "list", items: outs }, span }, { name: "axis", value: int(1), span }], span);
  }
  if (strategy === "topk") return topk(tracer, frame, inst, x.value, rest, span);
  fail("MM5005", route.strategy.span, { detail: `unknown routing '${strategy}'` }, { hint: "route by modality, or route topk(k, gate: name)" });
}

function topk(tracer: Tracer, frame: Frame, inst: Instance, x: Value, rest: readonly EvArg[], span: Span): Value {
  const route = inst.route!;
  const env = instanceEnv(inst);
  const kArg = route.args.find((a) => !a.name);
  const gateArg = route.args.find((a) => a.name?.name === "gate");
  if (!kArg || !gateArg || gateArg.value.kind !== "Name") fail("MM5005", route.span, { detail: "write route topk(k, gate: <submodule>)" });
  const kv = evalExpr(kArg.value, { env });
  const k = kv.k === "int" ? kv.v.constValue() : undefined;
  const gateName = gateArg.value.name;
  const gate = inst.children.get(gateName);
  if (!gate) fail("MM5005", gateArg.value.span, { detail: `${inst.declName} has no submodule '${gateName}' to use as gate` });
  const experts = routedExperts(inst, gateName);
  if (k === undefined || k < 1 || k > experts.length) fail("MM5005", kArg.value.span, { detail: `top-k needs 1 <= k <= ${experts.length} experts, got ${kv.k === "int" ? kv.v.toString() : typeName(kv)}` });
  const s = (value: Value): EvArg => ({ value, span });
  const logits = tracer.call(gate, [s(x)], span);
  const probs = frame.op("softmax", [s(logits)], span);
  const top = frame.op("topk", [s(probs), { name: "k", value: int(k), span }], span);
  if (top.k !== "tuple") fail("MM9001", span, { message: "topk did not return (values, indices)" });
  const hot = frame.op("one_hot", [s(top.items[1]!), { name: "classes", value: int(experts.length), span }], span);
  const mask = frame.op("sum", [s(hot), { name: "axes", value: { k: "list", items: [int(-2)] }, span }], span);
  const w = frame.op("mul", [s(probs), s(mask)], span);
  const norm = frame.op("sum", [s(w), { name: "axes", value: { k: "list", items: [int(-1)] }, span }, { name: "keepdim", value: { k: "bool", v: true }, span }], span);
  const weights = frame.op("div", [s(w), s(norm)], span);
  let acc: Value | undefined;
  experts.forEach((e, i) => {
    const y = tracer.call(e, [s(x), ...rest], span);
    const wi = frame.op("slice", [s(weights), { name: "axis", value: int(-1), span }, { name: "start", value: int(i), span }, { name: "stop", value: int(i + 1), span }], span);
    const term = frame.op("mul", [s(y), s(wi)], span);
    acc = acc ? frame.op("add", [s(acc), s(term)], span) : term;
  });
  // The router's tensors ride along by name: a load-balancing loss reads them from the
  // same call instead of calling the gate again.
  if (acc!.k !== "tensor") return acc!;
  const results = new Map<string, Value>([
    ["router_logits", logits], ["router_probs", probs], ["expert_indices", top.items[1]!], ["expert_mask", mask],
  ]);
  return { k: "tensor", t: acc!.t, results };
}
