// Elaboration of the simple body items: tensor params, init specs, shapes, tasks, stages.
import { constElements, MAX_ELEMENTS } from "../base/limits.js";
import type { Expr, ListField, Span, TensorParamItem, TensorType } from "../ast/ast.js";
import { Dim } from "../base/dims.js";
import { isDType, type DType } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { Env } from "./env.js";
import { evalExpr } from "./eval.js";
import type { InitSpec, ParamTensor } from "./instance.js";
import { typeName, type Value } from "./values.js";

export const INITIALIZERS = [
  "default", "zeros", "ones", "const", "normal", "trunc_normal", "uniform", "xavier_uniform", "xavier_normal",
  "kaiming_uniform", "kaiming_normal", "geometric", "triu", "arange", "sinusoid", "relative_index",
] as const;

/** An env in which undefined capitalised names are symbolic runtime dims (`B`, `T`). */
export class SymbolicEnv implements Env {
  constructor(private readonly parent: Env) {}
  lookup(name: string): Value | undefined {
    const v = this.parent.lookup(name);
    if (v !== undefined) return v;
    return isSymbolName(name) ? { k: "int", v: Dim.sym(name) } : undefined;
  }
  names(): string[] {
    return this.parent.names();
  }
}

export function isSymbolName(name: string): boolean {
  return /^[A-Z][A-Za-z0-9_]*$/.test(name);
}

/** Evaluates a dim expression to an Int Dim. `allowSymbols`: uppercase unknowns become symbols. */
export function evalDim(e: Expr, env: Env, what: string): Dim {
  const v = evalExpr(e, { env });
  if (v.k !== "int") fail("MM3018", e.span, { what, expected: "an Int dim", actual: typeName(v) });
  const c = v.v.constValue();
  if (c !== undefined && c < 1) fail("MM3017", e.span, { value: c });
  return v.v;
}

/** Dtype spellings of other frameworks, for a hint. */
const DTYPE_ALIASES: Readonly<Record<string, string>> = {
  fp16: "float16", half: "float16", bf16: "bfloat16", fp32: "float32", float: "float32", fp64: "float64", double: "float64",
  long: "int64", int: "int64", i64: "int64", i32: "int32", f32: "float32", f16: "float16",
};

export function evalDType(t: TensorType, fallback: DType): DType {
  if (!t.dtype) return fallback;
  const n = t.dtype.name;
  if (!isDType(n)) {
    const alias = Object.hasOwn(DTYPE_ALIASES, n) ? DTYPE_ALIASES[n] : undefined;
    const h = alias ? `mm writes \`${alias}\`` : didYouMean(n, ["float32", "float16", "bfloat16", "float64", "int64", "int32", "int8", "uint8", "bool"]);
    fail("MM3014", t.dtype.span, { name: n }, h ? { hint: h } : {});
  }
  return n;
}

export function elaborateParam(item: TensorParamItem, env: Env, prefix: string): ParamTensor {
  const shape = item.type.dims.map((d) => {
    if (d.kind === "Ellipsis") fail("MM3018", d.span, { what: "a parameter dim", expected: "an Int", actual: "`...`" });
    // Uppercase unknowns read as runtime dims here, so that `[T, width]` gets the right error.
    const dim = evalDim(d, new SymbolicEnv(env), "a parameter dim");
    if (!dim.isConst()) {
      fail("MM3015", d.span, { what: "a parameter's shape", actual: `symbolic ${dim.toString()}` }, {
        hint: "size it with an argument (`context: Int = 77`) and slice it in forward: `positions[:T]`",
      });
    }
    return dim;
  });
  const dtype = evalDType(item.type, "float32");
  checkElements(shape, item.type.span);
  const init = item.init ? evalInit(item.init, env) : undefined;
  if (init?.name === "relative_index") checkRelativeIndex(init, shape, item.init!.span);
  return {
    path: prefix ? `${prefix}.${item.name.name}` : item.name.name,
    name: item.name.name,
    shape,
    dtype,
    ...(init ? { init } : {}),
    ...(item.buffer ? { buffer: true as const } : {}),
    span: item.span,
  };
}

/** A tensor's element count, and its size in bytes, must be exact Numbers everywhere they are
 *  used (counts, weight files, ONNX shapes): at most MAX_ELEMENTS (base/limits.ts). */
function checkElements(shape: readonly Dim[], span: Span): void {
  const n = constElements(shape) ?? 0; // a parameter's dims are constant (checked above)
  if (n > MAX_ELEMENTS) {
    fail("MM3008", span, { value: `[${shape.map((d) => d.toString()).join(", ")}]: ${n.toExponential(3)} elements`, limit: "2^50 elements" }, {
      hint: `a tensor has at most 2^50 = ${MAX_ELEMENTS.toLocaleString("en-US")} elements, so its size in bytes stays exact`,
    });
  }
}

/** relative_index(w1, w2, ...) fills a [P, P] table, P the window's size (w1 * w2 * ...). */
function checkRelativeIndex(init: InitSpec, shape: readonly Dim[], span: Span): void {
  const window = init.positional.map((v) => (v.k === "int" ? v.v.constValue() : undefined));
  if (window.length === 0 || init.args.size > 0 || window.some((w) => w === undefined || w < 1)) {
    fail("MM3018", span, { what: "relative_index's arguments", expected: "the window's sizes, positive Ints: relative_index(8, 7, 7)", actual: `${init.positional.length} positional, ${init.args.size} named` });
  }
  const p = window.reduce((a, b) => a! * b!, 1)!;
  const dims = shape.map((d) => d.constValue());
  if (dims.length !== 2 || dims[0] !== p || dims[1] !== p) {
    fail("MM3018", span, { what: `relative_index(${window.join(", ")})`, expected: `a [${p}, ${p}] tensor (the window's ${p} positions, pairwise)`, actual: `[${dims.join(", ")}]` });
  }
}

function evalInit(e: Expr, env: Env): InitSpec {
  const nameExpr = e.kind === "Call" ? e.callee : e;
  if (nameExpr.kind !== "Name") fail("MM3013", e.span, { name: "expression" });
  const name = nameExpr.name;
  if (!(INITIALIZERS as readonly string[]).includes(name)) {
    const h = didYouMean(name, INITIALIZERS);
    fail("MM3013", nameExpr.span, { name }, h ? { hint: h } : {});
  }
  const args = new Map<string, Value>();
  const positional: Value[] = [];
  if (e.kind === "Call") {
    for (const a of e.args) {
      const v = evalExpr(a.value, { env });
      if (a.name) args.set(a.name.name, v);
      else positional.push(v);
    }
  }
  return { name, args, positional };
}

/** `key: a.b, c.*` fields of a task or stage, as segment lists, checking the allowed keys. */
export function fieldValues(fields: readonly ListField[], allowed: readonly string[], owner: string): Map<string, string[][]> {
  const out = new Map<string, string[][]>();
  for (const f of fields) {
    const k = f.key.name;
    if (!allowed.includes(k)) {
      const h = didYouMean(k, allowed);
      fail("MM3003", f.key.span, { callee: owner, name: k }, { hint: h ?? `fields: ${allowed.join(", ")}` });
    }
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    for (const p of f.values) list.push([...p.segments]); // in place: a field repeated 5,000 times stays linear
  }
  return out;
}

export function spanOf(x: { span: Span }): Span {
  return x.span;
}
