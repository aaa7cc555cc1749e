// Calling a submodule: bind arguments to the forward's inputs, unify tensor shapes with
// the declared patterns (binding symbolic dims), run the body, check the outputs.
import type { ForwardInput, Span, TensorType as TensorTypeAst } from "../ast/ast.js";
import { fail } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { MapEnv, Scope, type Env } from "../elaborate/env.js";
import type { EvArg } from "../elaborate/eval.js";
import { evalExpr } from "../elaborate/eval.js";
import type { Instance } from "../elaborate/instance.js";
import { evalDType, SymbolicEnv } from "../elaborate/items.js";
import { instanceEnv } from "../elaborate/model.js";
import { checkType } from "../elaborate/types.js";
import { PoisonError, typeName, type Value } from "../elaborate/values.js";
import type { Dim } from "../base/dims.js";
import { unifyDim, unifyShape, type DimPattern } from "./unify.js";
import type { TensorRef } from "../ir/ir.js";
import { formatShape, formatTensorType } from "../base/tensor.js";

export interface CallBinding {
  readonly scope: Scope;
  /** Pattern symbol bindings (B, T, ...), shared by inputs and outputs. */
  readonly dims: Map<string, Dim>;
  /** What the first `...` matched, for `...` in outputs. */
  ellipsis?: readonly Dim[];
  readonly tensorInputs: Map<string, TensorRef>;
}

/** The env dims are evaluated in: the instance's names, bound symbols, then fresh symbols. */
export function patternEnv(inst: Instance, dims: ReadonlyMap<string, Dim>): SymbolicEnv {
  const bound = new Map<string, Value>([...dims].map(([k, v]) => [k, { k: "int", v }]));
  return new SymbolicEnv(new MapEnv(bound, instanceEnv(inst)));
}

/** A signature's shape as a pattern: its symbolic dims stay symbols, so that unification
 *  substitutes the call's bindings exactly once. Kept per type and instance structure (a
 *  memoized copy evaluates as its template does): every call of a block needs its patterns. */
export function evalPattern(t: TensorTypeAst, inst: Instance): readonly DimPattern[] {
  const key = inst.template ?? inst;
  let byInst = patterns.get(t);
  if (!byInst) patterns.set(t, (byInst = new WeakMap()));
  const hit = byInst.get(key);
  if (hit) return hit;
  const env = patternEnv(inst, new Map());
  const out = t.dims.map((d): DimPattern => {
    if (d.kind === "Ellipsis") return "...";
    const v = evalExpr(d, { env });
    if (v.k !== "int") fail("MM3018", d.span, { what: "a dim", expected: "Int", actual: typeName(v) });
    return v.v;
  });
  byInst.set(key, out);
  return out;
}

const patterns = new WeakMap<TensorTypeAst, WeakMap<Instance, readonly DimPattern[]>>();

export function formatPattern(p: readonly DimPattern[], dims: ReadonlyMap<string, Dim>): string {
  return `[${p.map((d) => (d === "..." ? "..." : d.substitute(dims).toString())).join(", ")}]`;
}

/** How a message names the block called: `vision.attn (Attention)`. Built on failure only. */
export function calleeName(inst: Instance): string {
  return `${inst.path || inst.declName} (${inst.declName})`;
}

export function bindForwardArgs(inst: Instance, inputs: readonly ForwardInput[], args: readonly EvArg[], span: Span, base: Env): CallBinding {
  // Arguments by input position, not a map by name: calls are bound by the thousand.
  const given: (EvArg | undefined)[] = new Array<EvArg | undefined>(inputs.length);
  let pos = 0;
  for (const a of args) {
    if (a.name !== undefined) continue;
    if (pos >= inputs.length) fail("MM4012", a.span, { callee: calleeName(inst), detail: `takes ${inputs.length} input(s), ${args.filter((x) => !x.name).length} given` });
    given[pos++] = a;
  }
  for (const a of args) {
    if (a.name === undefined) continue;
    const i = inputIndex(inputs, a.name);
    if (i < 0) {
      const names = inputs.map((x) => x.name.name);
      const h = didYouMean(a.name, names) ?? (names.length ? `its inputs: ${names.join(", ")}` : undefined);
      fail("MM4012", a.nameSpan ?? a.span, { callee: calleeName(inst), detail: `no input named '${a.name}'` }, h ? { hint: h } : {});
    }
    if (given[i] !== undefined) {
      // Two inputs of one name are MM2002 at the declaration (resolve/loader.ts): no cascade.
      if (inputs.some((x, j) => j !== i && x.name.name === a.name)) throw new PoisonError();
      fail("MM3011", a.nameSpan ?? a.span, { name: a.name });
    }
    given[i] = a;
  }
  const b: CallBinding = { scope: new Scope(base), dims: new Map(), tensorInputs: new Map() };
  for (let i = 0; i < inputs.length; i++) {
    const inp = inputs[i]!;
    const name = inp.name.name;
    const a = given[i];
    if (!a) {
      if (!inp.default) fail("MM4012", span, { callee: calleeName(inst), detail: `missing input '${name}'` }, { related: [{ span: inp.span, message: "declared here" }] });
      b.scope.define(name, evalExpr(inp.default, { env: patternEnv(inst, b.dims) }));
      continue;
    }
    if (inp.type.kind !== "TensorType") {
      b.scope.define(name, a.value.k === "none" ? a.value : checkType(inp.type, a.value, instanceEnv(inst), name, a.span));
      continue;
    }
    if (a.value.k === "none" && inp.default) {
      b.scope.define(name, a.value);
      continue;
    }
    if (a.value.k !== "tensor") fail("MM3018", a.span, { what: `input '${name}' of ${calleeName(inst)}`, expected: "a tensor", actual: typeName(a.value) });
    checkTensorInput(inst, inp, inp.type, a.value.t, a.span, b);
    b.scope.define(name, a.value);
    b.tensorInputs.set(name, a.value.t);
  }
  return b;
}

function inputIndex(inputs: readonly ForwardInput[], name: string): number {
  for (let i = 0; i < inputs.length; i++) if (inputs[i]!.name.name === name) return i;
  return -1;
}

function checkTensorInput(inst: Instance, inp: ForwardInput, type: TensorTypeAst, t: TensorRef, argSpan: Span, b: CallBinding): void {
  const pattern = evalPattern(type, inst);
  const r = unifyShape(pattern, t.type.shape, b.dims);
  if (!r.ok) {
    const expected = formatPattern(pattern, b.dims);
    const actual = formatShape(t.type.shape);
    const related = [
      { span: inp.span, message: `declared here as ${expected}` },
      ...(t.span !== argSpan ? [{ span: t.span, message: `this value of shape ${actual} is computed here` }] : []),
    ];
    const what = `input '${inp.name.name}' of ${calleeName(inst)}`;
    if (r.reason === "rank") fail("MM4008", argSpan, { what, expected: rankOf(pattern), actual: t.type.shape.length, shape: actual }, { related });
    const u = unsolvedDim(pattern, t.type.shape, b.dims, r.index);
    if (u) {
      fail("MM4011", argSpan, { what: `${u.symbols.join(" and ")} from ${u.pattern} = ${u.actual} (${what})` }, {
        related, hint: `a dim pattern can solve one unknown that appears linearly; make ${u.symbols.join(" or ")} an argument of ${inst.declName}`,
      });
    }
    fail("MM4001", argSpan, { what, expected, actual }, { related, ...mismatchHint(type, pattern, r, t, inst) });
  }
  if (r.ellipsis && !b.ellipsis) b.ellipsis = r.ellipsis;
  if (type.dtype) {
    const want = evalDType(type, "float32");
    if (want !== t.type.dtype) {
      fail("MM4010", argSpan, { what: `input '${inp.name.name}' of ${calleeName(inst)}`, expected: want, actual: t.type.dtype }, {
        related: [{ span: inp.span, message: `declared here as ${want}` }],
      });
    }
  }
}

/** Replays the unification up to the failing dim: when that dim has two unknowns (`H*W`) or
 *  one that is not linear (`N**2`), it was not wrong but undetermined. */
function unsolvedDim(pattern: readonly DimPattern[], shape: readonly Dim[], dims: ReadonlyMap<string, Dim>, index: number): { symbols: string[]; pattern: string; actual: string } | undefined {
  const local = new Map(dims);
  const e = pattern.indexOf("...");
  const extra = shape.length - (pattern.length - (e >= 0 ? 1 : 0));
  const at = (i: number): Dim | undefined => shape[e >= 0 && i > e ? i - 1 + extra : i];
  for (let i = 0; i < index; i++) {
    const p = pattern[i]!;
    const a = at(i);
    if (p !== "..." && a) unifyDim(p, a, local);
  }
  const p = pattern[index];
  const a = at(index);
  if (p === undefined || p === "..." || !a) return undefined;
  const q = p.substitute(local);
  const free = q.symbols().filter((s) => !local.has(s));
  if (free.length === 0 || (free.length === 1 && q.linearIn(free[0]!) !== undefined)) return undefined;
  return { symbols: free, pattern: q.toString(), actual: a.toString() };
}

/** When the failing dim is written as one of the block's parameters, say which argument to pass. */
function mismatchHint(type: TensorTypeAst, pattern: readonly DimPattern[], r: { index: number; reason: "rank" | "dim" }, t: TensorRef, inst: Instance): { hint?: string } {
  const e = pattern.indexOf("...");
  const extra = t.type.shape.length - (pattern.length - (e >= 0 ? 1 : 0));
  const actualDim = t.type.shape[e >= 0 && r.index > e ? r.index - 1 + extra : r.index];
  const expr = type.dims[r.index];
  if (expr?.kind === "Name" && inst.args.has(expr.name) && actualDim?.isConst()) {
    return { hint: `pass ${expr.name}: ${actualDim.toString()} to ${inst.declName}, or project the input to ${inst.args.get(expr.name)!.k === "int" ? (inst.args.get(expr.name) as { v: Dim }).v.toString() : "?"}` };
  }
  return {};
}

/** `output`: the named output checked, or undefined for a forward's single result. */
export function checkOutput(inst: Instance, declared: TensorTypeAst, value: Value, span: Span, b: CallBinding, output: string | undefined): void {
  if (value.k !== "tensor") fail("MM3018", span, { what: outputWhat(inst, output), expected: "a tensor", actual: typeName(value) });
  const declaredPattern = evalPattern(declared, inst);
  const pattern = declaredPattern.includes("...")
    ? declaredPattern.flatMap((p): DimPattern[] => (p === "..." ? (b.ellipsis ? [...b.ellipsis] : ["..."]) : [p]))
    : declaredPattern;
  const r = unifyShape(pattern, value.t.type.shape, b.dims);
  if (!r.ok) {
    const related = [{ span: declared.span, message: "declared output type" }];
    if (r.reason === "rank") fail("MM4008", span, { what: outputWhat(inst, output), expected: rankOf(pattern), actual: value.t.type.shape.length, shape: formatShape(value.t.type.shape) }, { related });
    fail("MM4001", span, { what: outputWhat(inst, output), expected: formatPattern(pattern, b.dims), actual: formatTensorType(value.t.type) }, { related });
  }
}

function outputWhat(inst: Instance, output: string | undefined): string {
  return output !== undefined ? `output '${output}' of ${calleeName(inst)}` : `the result of ${calleeName(inst)}`;
}

/** The rank a shape pattern needs: `2`, or `≥ 1` when it has `...`. */
export function rankOf(pattern: readonly DimPattern[]): string {
  const n = pattern.filter((p) => p !== "...").length;
  return pattern.includes("...") ? `≥ ${n}` : String(n);
}
