// Calls an op's infer with arguments given as plain values, binding defaults the way the
// checker's binder does. Each argument gets its own dummy span (file "arg:<name>") so tests
// can assert where a diagnostic points; the call's span has file "call".
import type { Span } from "../../compiler/ast/ast.js";
import { Dim } from "../../compiler/base/dims.js";
import { formatShape, isDType, type DType, type TensorType } from "../../compiler/base/tensor.js";
import { DiagnosticError, fail, type Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import { OPS } from "../../compiler/ops/index.js";
import type { OpArgs, OpResult } from "../../compiler/ops/op.js";

export type ArgValue = TensorType | readonly TensorType[] | number | Dim | readonly (number | Dim)[] | boolean | string | undefined;

export const CALL_SPAN: Span = { file: "call", start: 0, end: 1 };
const argSpan = (name: string): Span => ({ file: `arg:${name}`, start: 0, end: 1 });

const dim = (v: number | string | Dim): Dim => (v instanceof Dim ? v : typeof v === "number" ? Dim.const(v) : Dim.sym(v));

/** t("B T 768"), t([B, 2, "T"]), t("B T", "int64"); t("") is a scalar. */
export function t(dims: string | readonly (number | string | Dim)[], dtype: DType = "float32"): TensorType {
  const parts = typeof dims === "string" ? dims.split(/\s+/).filter((s) => s !== "").map((s) => (/^-?\d+$/.test(s) ? Number(s) : s)) : dims;
  return { shape: parts.map(dim), dtype };
}

const isTensor = (v: unknown): v is TensorType => typeof v === "object" && v !== null && "shape" in v && "dtype" in v;

export function opArgs(opName: string, values: Readonly<Record<string, ArgValue>>): OpArgs {
  const def = OPS.get(opName);
  if (!def) throw new Error(`no op ${opName}`);
  for (const k of Object.keys(values)) if (!def.params.some((p) => p.name === k)) throw new Error(`${opName} has no parameter ${k}`);
  const get = (name: string): ArgValue => {
    const p = def.params.find((x) => x.name === name);
    if (!p) throw new Error(`internal: ${opName} reads undeclared parameter ${name}`);
    const v = values[name];
    if (v !== undefined) return v;
    if (p.default !== undefined) return p.default;
    if (p.kind.endsWith("?")) return undefined;
    throw new Error(`test omitted required argument ${name} of ${opName}`);
  };
  const bad = (name: string, kind: string): never => { throw new Error(`argument ${name} of ${opName} is not ${kind}`); };
  const optInts = (name: string): readonly Dim[] | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (typeof v === "number" || v instanceof Dim) return [dim(v)];
    if (!Array.isArray(v)) return bad(name, "ints");
    return (v as readonly (number | Dim)[]).map(dim);
  };
  const optInt = (name: string): Dim | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    return typeof v === "number" || v instanceof Dim ? dim(v) : bad(name, "an int");
  };
  const optFloat = (name: string): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    if (typeof v === "number") return v;
    return v instanceof Dim && v.isConst() ? v.constValue()! : bad(name, "a float");
  };
  return {
    callSpan: CALL_SPAN,
    span: (name) => (values[name] !== undefined ? argSpan(name) : CALL_SPAN),
    tensor: (name) => { const v = get(name); return isTensor(v) ? v : bad(name, "a tensor"); },
    optTensor: (name) => { const v = get(name); return v === undefined ? undefined : isTensor(v) ? v : bad(name, "a tensor"); },
    tensors: (name) => { const v = get(name); return Array.isArray(v) && v.every(isTensor) ? (v as TensorType[]) : bad(name, "tensors"); },
    int: (name) => optInt(name) ?? bad(name, "given"),
    num: (name) => {
      const d = optInt(name) ?? bad(name, "given");
      const c = d.constValue();
      if (c === undefined) fail("MM3015", argSpan(name), { what: `argument '${name}'`, actual: `symbolic ${d}` });
      return c;
    },
    optInt,
    ints: (name) => optInts(name) ?? bad(name, "given"),
    optInts,
    float: (name) => optFloat(name) ?? bad(name, "given"),
    optFloat,
    bool: (name) => { const v = get(name); return typeof v === "boolean" ? v : bad(name, "a bool"); },
    string: (name) => { const v = get(name); return typeof v === "string" ? v : bad(name, "a string"); },
    dtype: (name) => { const v = get(name); return typeof v === "string" && isDType(v) ? v : bad(name, "a dtype"); },
  };
}

export function call(opName: string, values: Readonly<Record<string, ArgValue>>): OpResult {
  return OPS.get(opName)!.infer(opArgs(opName, values));
}

/** The formatted type of output i: "[B, T, 768]" or "[B, T] int64". */
export function out(r: OpResult, i = 0): string {
  const o = r.outputs[i]!;
  return o.dtype === "float32" ? formatShape(o.shape) : `${formatShape(o.shape)} ${o.dtype}`;
}

/** Runs the op, expecting a diagnostic; returns it. */
export function fails(opName: string, values: Readonly<Record<string, ArgValue>>): Diagnostic {
  try {
    call(opName, values);
  } catch (e) {
    if (e instanceof DiagnosticError) return e.diagnostic;
    throw e;
  }
  throw new Error(`${opName} did not report a diagnostic`);
}
