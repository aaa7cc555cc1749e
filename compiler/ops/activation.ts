// Activation functions: elementwise on float tensors, plus softmax over an axis.
import type { OpArgs, OpDef, OpParam } from "./op.js";
import { T, choice, needFloat, normAxis, result, tensorParam } from "./util.js";

function elementwise(name: string, doc: string, decomposition?: string, extra: readonly OpParam[] = [], attrs?: (args: OpArgs) => Record<string, string | number>): OpDef {
  return {
    name, category: "activation", doc, shapeRule: "x → x (float)", ...(decomposition ? { decomposition } : {}),
    params: [tensorParam("x"), ...extra],
    infer(args) {
      const x = args.tensor("x");
      needFloat(args, "x", x, `${name} input`);
      return result(x, attrs ? attrs(args) : {});
    },
  };
}

function overAxis(name: string, doc: string, decomposition: string): OpDef {
  return {
    name, category: "activation", doc, decomposition, shapeRule: "x → x (float), normalized along axis",
    params: [tensorParam("x"), { name: "axis", kind: "int", default: -1 }],
    infer(args) {
      const x = args.tensor("x");
      needFloat(args, "x", x, `${name} input`);
      return result(T(x.shape, x.dtype), { axis: normAxis(args, "axis", x.shape.length) });
    },
  };
}

export const ACTIVATION_OPS: readonly OpDef[] = [
  {
    // relu also makes sense on integers, so it keeps any numeric dtype.
    name: "relu", category: "activation", doc: "max(x, 0).", shapeRule: "x → x",
    params: [tensorParam("x")],
    infer: (args) => result(args.tensor("x")),
  },
  elementwise("gelu", "Gaussian error linear unit; approximate: \"tanh\" uses the tanh approximation.",
    "none: 0.5 * x * (1 + erf(x / sqrt(2))); tanh: 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x ** 3)))",
    [{ name: "approximate", kind: "string", default: "none", doc: "\"none\" or \"tanh\"" }],
    (args) => ({ approximate: choice(args, "approximate", ["none", "tanh"] as const) })),
  elementwise("quick_gelu", "A fast sigmoid approximation of gelu.", "x * sigmoid(1.702 * x)"),
  elementwise("silu", "Sigmoid linear unit (swish).", "x * sigmoid(x)"),
  elementwise("sigmoid", "1 / (1 + exp(-x))."),
  elementwise("tanh", "Hyperbolic tangent."),
  elementwise("softplus", "log(1 + exp(x)), a smooth relu.", "log(1 + exp(x))"),
  overAxis("softmax", "exp(x) normalized to sum to 1 along an axis.", "e = exp(x - max(x, axis, keepdim: true)); e / sum(e, axis, keepdim: true)"),
  overAxis("log_softmax", "log(softmax(x)) along an axis, computed stably.", "x - logsumexp(x, axis, keepdim: true)"),
];
