// Elementwise map ops with numpy broadcasting: arithmetic, comparisons, logic,
// activations, casts, and the inference forms of batch_norm and dropout.
import type { GpuDType } from "../../../../runtime/plan.js";
import { gpuType } from "../graph.js";
import type { MapEmitter, MapOp, MapOps } from "./map.js";
import { literal } from "./wgsl.js";

/** The common arithmetic type of inputs: f32 if any is float, else i32 (bools count as ints). */
function common(e: MapEmitter, ks: readonly number[]): GpuDType {
  return ks.some((k) => gpuType(e.inputTensor(k)!.dtype) === "f32") ? "f32" : "i32";
}

function binary(f: (a: string, b: string, t: GpuDType) => string, as?: GpuDType): MapOp {
  return {
    elementwise: true,
    emit(e) {
      const t = as ?? (e.outType === "u32" ? common(e, [0, 1]) : e.outType);
      return f(e.input(0, e.bcast(0), t), e.input(1, e.bcast(1), t), t);
    },
  };
}

function unary(f: (x: string, t: GpuDType) => string): MapOp {
  return {
    elementwise: true,
    emit(e) {
      const t = e.outType === "u32" ? gpuType(e.inputTensor(0)!.dtype) : e.outType;
      return f(e.input(0, e.bcast(0), t), t);
    },
  };
}

const bool = (cond: string): string => `select(0u, 1u, ${cond})`;
const compare = (op: string): MapOp => binary((a, b) => bool(`${a} ${op} ${b}`));
const floatUnary = (f: (x: string) => string): MapOp => unary((x) => f(x));

/** x ** y as PyTorch computes it: a negative base with an integral exponent keeps its sign. */
const POW_FN = `fn mm_pow(x: f32, y: f32) -> f32 {
  if (y == 0.0f) { return 1.0f; }
  if (y == 1.0f) { return x; }
  if (y == 2.0f) { return x * x; }
  let r = pow(abs(x), y);
  if (x < 0.0f) {
    if (y != round(y)) { return (x - x) / (x - x); } // NaN, made at run time
    if ((i32(y) & 1) == 1) { return -r; }
  }
  return r;
}`;

/** erf by Abramowitz–Stegun 7.1.26 refined (max abs error ~1.2e-7), odd-extended. */
const ERF_FN = `fn mm_erf(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0f / (1.0f + 0.5f * z);
  let r = t * exp(-z * z - 1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f)))))))));
  return select(1.0f - r, r - 1.0f, x < 0.0f);
}`;

/** tanh that stays finite for large |x| (exp overflow would give inf/inf). */
const TANH_FN = `fn mm_tanh(x: f32) -> f32 { return tanh(clamp(x, -15.0f, 15.0f)); }`;

/** sin and cos to about 1 ulp where WGSL promises only 2^-11 absolute inside [-pi, pi] (and
 *  nothing outside; rotary angles reach hundreds of radians): x - q*pi/2 in three parts
 *  (Cody-Waite; exact for |q| < 2^15), then Cephes' sinf/cosf polynomials on [-pi/4, pi/4],
 *  chosen and signed by the quadrant q mod 4. */
const SINCOS_FN = `fn mm_sincos(x: f32, cosine: bool) -> f32 {
  let q = round(x * 0.63661977236758134f);
  let r = ((x - q * 1.5703125f) - q * 4.837512969970703125e-4f) - q * 7.54978995489188216e-8f;
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1f + z * (8.3321608736e-3f + z * -1.9515295891e-4f));
  let c = 1.0f - 0.5f * z + z * z * (4.166664568298827e-2f + z * (-1.388731625493765e-3f + z * 2.443315711809948e-5f));
  let k = (i32(q) + select(0, 1, cosine)) & 3;
  let v = select(s, c, (k & 1) == 1);
  return select(v, -v, k >= 2);
}`;

export const HELPERS: Readonly<Record<string, string>> = { mm_pow: POW_FN, mm_erf: ERF_FN, mm_tanh: TANH_FN, mm_sincos: SINCOS_FN };

const sigmoid = (x: string): string => `(1.0f / (1.0f + exp(-${x})))`;

function gelu(e: MapEmitter, x: string): string {
  if (e.node.attrs.approximate === "tanh") {
    e.helper("mm_tanh");
    return `0.5f * ${x} * (1.0f + mm_tanh(0.7978845608028654f * (${x} + 0.044715f * ${x} * ${x} * ${x})))`;
  }
  e.helper("mm_erf");
  return `0.5f * ${x} * (1.0f + mm_erf(${x} * 0.7071067811865476f))`;
}

const identity: MapOp = { elementwise: true, emit: (e) => e.input(0, e.bcast(0)) };

export const ELEMENTWISE_OPS: MapOps = {
  add: binary((a, b) => `${a} + ${b}`),
  sub: binary((a, b) => `${a} - ${b}`),
  mul: binary((a, b) => `${a} * ${b}`),
  div: binary((a, b) => `${a} / ${b}`, "f32"),
  pow: { elementwise: true, emit: (e) => (e.helper("mm_pow"), `mm_pow(${e.input(0, e.bcast(0), "f32")}, ${e.input(1, e.bcast(1), "f32")})`) },
  maximum: binary((a, b) => `max(${a}, ${b})`),
  minimum: binary((a, b) => `min(${a}, ${b})`),
  eq: compare("=="), ne: compare("!="), lt: compare("<"), le: compare("<="), gt: compare(">"), ge: compare(">="),
  logical_and: binary((a, b) => bool(`${a} != 0u && ${b} != 0u`), "u32"),
  logical_or: binary((a, b) => bool(`${a} != 0u || ${b} != 0u`), "u32"),
  logical_not: { elementwise: true, emit: (e) => bool(`${e.input(0, e.bcast(0), "u32")} == 0u`) },
  where: {
    elementwise: true,
    emit: (e) => `select(${e.input(2, e.bcast(2), e.outType)}, ${e.input(1, e.bcast(1), e.outType)}, ${e.input(0, e.bcast(0), "u32")} != 0u)`,
  },
  neg: unary((x) => `-${x}`),
  abs: unary((x) => `abs(${x})`),
  exp: floatUnary((x) => `exp(${x})`),
  log: floatUnary((x) => `log(${x})`),
  sqrt: floatUnary((x) => `sqrt(${x})`),
  rsqrt: floatUnary((x) => `inverseSqrt(${x})`),
  sin: { elementwise: true, emit: (e) => (e.helper("mm_sincos"), `mm_sincos(${e.input(0, e.bcast(0), "f32")}, false)`) },
  cos: { elementwise: true, emit: (e) => (e.helper("mm_sincos"), `mm_sincos(${e.input(0, e.bcast(0), "f32")}, true)`) },
  erf: { elementwise: true, emit: (e) => (e.helper("mm_erf"), `mm_erf(${e.input(0, e.bcast(0), "f32")})`) },
  relu: unary((x, t) => `max(${x}, ${literal(0, t)})`),
  gelu: { elementwise: true, emit: (e) => gelu(e, e.input(0, e.bcast(0), "f32")) },
  quick_gelu: floatUnary((x) => `${x} * ${sigmoid(`(1.702f * ${x})`)}`),
  silu: floatUnary((x) => `${x} * ${sigmoid(x)}`),
  sigmoid: floatUnary((x) => sigmoid(x)),
  tanh: { elementwise: true, emit: (e) => (e.helper("mm_tanh"), `mm_tanh(${e.input(0, e.bcast(0), "f32")})`) },
  // log(1 + exp(x)), stable: max(x, 0) + log(1 + exp(-|x|)).
  softplus: floatUnary((x) => `max(${x}, 0.0f) + log(1.0f + exp(-abs(${x})))`),
  cast: {
    elementwise: true,
    emit(e) {
      const from = gpuType(e.inputTensor(0)!.dtype);
      const x = e.input(0, e.bcast(0));
      if (e.out.dtype === "bool") return bool(`${x} != ${literal(0, from)}`);
      return from === e.outType ? x : `${e.outType}(${x})`;
    },
  },
  clamp: {
    elementwise: true,
    emit(e) {
      let x = e.input(0, e.bcast(0));
      const lo = e.node.attrs.min, hi = e.node.attrs.max;
      if (typeof lo === "number") x = `max(${x}, ${literal(lo, e.outType)})`;
      if (typeof hi === "number") x = `min(${x}, ${literal(hi, e.outType)})`;
      return x;
    },
  },
  masked_fill: {
    elementwise: true,
    emit: (e) => `select(${e.input(0, e.bcast(0))}, ${literal(e.attrNum("value"), e.outType)}, ${e.input(1, e.bcast(1), "u32")} != 0u)`,
  },
  identity, stop_gradient: identity, dropout: identity,
  update_buffer: { elementwise: true, emit: (e) => e.input(1, e.bcast(1)) }, // the new value (an output)
  batch_norm: {
    elementwise: true,
    emit(e) {
      // Inference form over channel axis 1: (x - mean) / sqrt(var + eps) * weight + bias.
      const c = [e.coords[1]!];
      const ch = (_k: number): string[] => c;
      const x = e.input(0, e.coords, "f32");
      const mean = e.input(3, ch(3), "f32"), v = e.input(4, ch(4), "f32");
      let y = `(${x} - ${mean}) * inverseSqrt(${v} + ${literal(e.attrNum("eps"), "f32")})`;
      if (e.inputTensor(1)) y = `${y} * ${e.input(1, ch(1), "f32")}`;
      if (e.inputTensor(2)) y = `${y} + ${e.input(2, ch(2), "f32")}`;
      return y;
    },
  },
};
