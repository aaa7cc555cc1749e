// Activations (compiler/ops/activation.ts). gelu is the Gelu op from opset 20 and its
// reference decomposition before; quick_gelu and silu are x * sigmoid(c * x).
import { isFloatDType } from "../../../base/tensor.js";
import type { V } from "../context.js";
import { add, attrNum, binary, input, like, mul, unary, type Emit, type Lowering } from "./build.js";

/** 0.5 * x * (1 + erf(x / sqrt(2))), or the tanh approximation. */
export function gelu(e: Emit, x: V, approximate: string): V {
  if (e.opset >= 20) return unary(e, "Gelu", x, { approximate: { s: approximate } });
  let inner: V;
  if (approximate === "tanh") {
    const cube = mul(e, mul(e, x, x), x);
    const poly = add(e, x, mul(e, cube, like(e, 0.044715, x)));
    inner = unary(e, "Tanh", mul(e, poly, like(e, Math.sqrt(2 / Math.PI), x)));
  } else {
    inner = unary(e, "Erf", mul(e, x, like(e, Math.SQRT1_2, x)));
  }
  return mul(e, mul(e, x, like(e, 0.5, x)), add(e, inner, like(e, 1, x)));
}

function sigmoidGated(c: number): (e: Emit, x: V) => V {
  return (e, x) => mul(e, x, unary(e, "Sigmoid", c === 1 ? x : mul(e, x, like(e, c, x))));
}
export const quickGelu = sigmoidGated(1.702);
export const silu = sigmoidGated(1);

const simple = (type: string): Lowering => (e, n) => unary(e, type, input(n, 0));

export const ACTIVATION_LOWERINGS: Readonly<Record<string, Lowering>> = {
  relu: (e, n) => {
    const x = input(n, 0);
    return isFloatDType(x.type.dtype) ? unary(e, "Relu", x) : binary(e, "Max", x, like(e, 0, x));
  },
  gelu: (e, n) => gelu(e, input(n, 0), typeof n.attrs.approximate === "string" ? n.attrs.approximate : "none"),
  quick_gelu: (e, n) => quickGelu(e, input(n, 0)),
  silu: (e, n) => silu(e, input(n, 0)),
  sigmoid: simple("Sigmoid"),
  tanh: simple("Tanh"),
  softplus: simple("Softplus"),
  softmax: (e, n) => unary(e, "Softmax", input(n, 0), { axis: { i: attrNum(n, "axis") } }),
  log_softmax: (e, n) => unary(e, "LogSoftmax", input(n, 0), { axis: { i: attrNum(n, "axis") } }),
};
