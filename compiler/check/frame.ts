// A Frame is one execution of one forward: it turns tensor expressions into graph nodes.
import { constElements, MAX_ELEMENTS } from "../base/limits.js";
import { foldedStack } from "../elaborate/stack.js";
import type { BinaryOp, Span } from "../ast/ast.js";
import { fail } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { EvArg, EvIndex, TensorHooks } from "../elaborate/eval.js";
import type { Instance } from "../elaborate/instance.js";
import { typeName, type Value } from "../elaborate/values.js";
import { OPS } from "../ops/index.js";
import type { OpAttrs } from "../ops/op.js";
import { bindOp } from "./bind-op.js";
import { Dim } from "../base/dims.js";
import type { TensorRef } from "../ir/ir.js";
import { isFloatDType, type TensorType } from "../base/tensor.js";
import type { Tracer } from "./tracer.js";

const BINARY_OPS: Partial<Record<BinaryOp, string>> = {
  "+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow", "@": "matmul",
  "==": "eq", "<": "lt", ">": "gt", "!=": "ne", "<=": "le", ">=": "ge",
};

const NO_ATTRS: OpAttrs = Object.freeze({});

export class Frame implements TensorHooks {
  constructor(readonly tracer: Tracer, readonly inst: Instance, readonly scope: string, readonly dims: ReadonlyMap<string, Dim> = new Map()) {}

  op(name: string, args: readonly EvArg[], span: Span): Value {
    const def = OPS.get(name);
    if (!def) fail("MM2001", span, { name });
    this.tracer.spend(span);
    const graph = this.tracer.graph;
    const bound = bindOp(def, args, span, this, graph.keeps);
    const res = def.infer(bound.args);
    for (const o of res.outputs) checkSize(o.shape, span);
    // A check-only graph keeps no nodes, so their attributes are not gathered.
    const outs = graph.node(name, bound.tensors, graph.keeps ? { ...bound.attrs, ...res.attrs } : NO_ATTRS, res.outputs, this.scope, span);
    if (outs.length === 1) return { k: "tensor", t: outs[0]! };
    return { k: "tuple", items: outs.map((t) => ({ k: "tensor", t })) };
  }

  /** Scalars next to a tensor become constants of the tensor's dtype (floats force a float). */
  toTensor(v: Value, span: Span, like?: TensorType): TensorRef | undefined {
    if (v.k === "tensor") return v.t;
    if (v.k === "float") return this.tracer.graph.constant(v.v, like && isFloatDType(like.dtype) ? like.dtype : "float32", [], span);
    if (v.k === "int") {
      const c = v.v.constValue();
      // A symbolic Int (a runtime dim) is read at run time, in the dtype a literal would take.
      if (c === undefined) {
        const r = this.op("dim_value", [{ value: v, span }, { name: "dtype", value: { k: "dtype", v: like?.dtype ?? "int64" }, span }], span);
        return r.k === "tensor" ? r.t : undefined;
      }
      return this.tracer.graph.constant(c, like?.dtype ?? "int64", [], span);
    }
    if (v.k === "bool") return this.tracer.graph.constant(v.v ? 1 : 0, "bool", [], span);
    return undefined;
  }

  binary(op: Exclude<BinaryOp, "&&" | "||">, a: Value, b: Value, span: Span, leftSpan: Span = span, rightSpan: Span = span): Value {
    const name = BINARY_OPS[op];
    if (!name || !OPS.has(name)) fail("MM3018", span, { what: `operator ${op}`, expected: "numbers", actual: "tensors" });
    return this.op(name, [{ value: a, span: leftSpan }, { value: b, span: rightSpan }], span);
  }

  negate(a: Value, span: Span): Value {
    return this.op("neg", [{ value: a, span }], span);
  }

  callOp(name: string, args: readonly EvArg[], span: Span): Value {
    return this.op(name, args, span);
  }

  callInstance(inst: Instance, args: readonly EvArg[], span: Span): Value {
    if (inst.kind === "stack") return this.callInstances(inst.children.values(), args, span, foldedStack(inst)?.count);
    return this.tracer.call(inst, args, span);
  }

  /** A repeat stack (or a slice of one) applies its layers in order: x = layer_i(x, ...rest).
   *  Layers are read one at a time. In a check of a folded stack (identical layers), a layer
   *  called with the argument types the one before it had is a fixed point: every later
   *  layer is that same call again, so the rest are not traced (the memo would replay them). */
  callInstances(insts: Iterable<Instance>, args: readonly EvArg[], span: Span, identical?: number): Value {
    let cur = args;
    let out: Value | undefined;
    let prevKey: string | undefined;
    let called = 0;
    for (const i of insts) {
      const key = identical !== undefined ? this.tracer.memoKey(i, cur) : undefined;
      if (key !== undefined && key === prevKey) {
        // The layers not traced still count, as a compile would trace them.
        this.tracer.spend(span, (identical! - called) * (this.tracer.costOf(key) ?? 1));
        break;
      }
      called++;
      prevKey = key;
      out = this.callInstance(i, cur, span);
      if (out.k !== "tensor") fail("MM4012", span, { callee: i.path, detail: "a layer of a stack called in sequence must return one tensor; loop with `for layer in stack` instead" });
      cur = [{ value: out, span }, ...args.slice(1)];
    }
    if (!out) fail("MM4012", span, { callee: "stack", detail: "the stack is empty" });
    return out;
  }

  tensorMember(t: Value & { k: "tensor" }, name: string, span: Span): Value {
    const shape = t.t.type.shape;
    const named = t.results?.get(name);
    if (named) return named;
    switch (name) {
      case "T":
        if (shape.length < 2) fail("MM4008", span, { what: ".T", expected: "≥ 2", actual: shape.length, shape: `[${shape.join(", ")}]` });
        return this.op("transpose", [{ value: t, span }, { value: int(-2), span }, { value: int(-1), span }], span);
      case "shape": return { k: "list", items: shape.map((d) => ({ k: "int", v: d })) };
      case "rank": case "ndim": return int(shape.length);
      case "dtype": return { k: "dtype", v: t.t.type.dtype };
      default:
        fail("MM2001", span, { name }, {
          hint: t.results
            ? didYouMean(name, [...t.results.keys(), "T", "shape", "rank", "dtype"]) ?? `a routed call's result has ${[...t.results.keys()].map((k) => `.${k}`).join(", ")}, .T, .shape, .rank and .dtype`
            : "tensors have .T, .shape, .rank and .dtype",
        });
    }
  }

  tensorIndex(t: Value & { k: "tensor" }, indices: readonly EvIndex[], span: Span): Value {
    const rank = t.t.type.shape.length;
    const ell = indices.findIndex((i) => i.k === "ellipsis");
    const explicit = indices.filter((i) => i.k !== "ellipsis").length;
    if (explicit > rank) fail("MM4008", span, { what: "indexing", expected: `≥ ${explicit}`, actual: rank, shape: `[${t.t.type.shape.join(", ")}]` });
    const expanded: (EvIndex | undefined)[] = [];
    for (let i = 0; i < indices.length; i++) {
      if (i === ell) for (let k = 0; k < rank - explicit; k++) expanded.push(undefined);
      else expanded.push(indices[i]);
    }
    let cur: Value = t;
    let axis = 0;
    for (const ix of expanded) {
      if (!ix || ix.k === "ellipsis") {
        axis++;
        continue;
      }
      if (ix.k === "value") {
        if (ix.value.k === "tensor") {
          cur = this.op("gather", [{ value: cur, span }, { value: ix.value, span: ix.span }, { value: int(axis), span }], ix.span);
          axis += ix.value.t.type.shape.length; // gather puts the index's dims in place of the axis
        } else {
          cur = this.op("index", [{ value: cur, span }, { value: int(axis), span }, { value: ix.value, span: ix.span }], ix.span);
        }
        continue;
      }
      const args: EvArg[] = [{ value: cur, span }, { name: "axis", value: int(axis), span }];
      if (ix.start) args.push({ name: "start", value: ix.start, span: ix.span });
      if (ix.stop) args.push({ name: "stop", value: ix.stop, span: ix.span });
      if (ix.step) args.push({ name: "step", value: ix.step, span: ix.span });
      if (ix.start || ix.stop || ix.step) cur = this.op("slice", args, ix.span);
      axis++;
    }
    return cur;
  }

  instanceParam(inst: Instance, name: string, span: Span): Value | undefined {
    const p = inst.params.find((x) => x.name === name);
    if (!p) return undefined;
    return { k: "tensor", t: this.tracer.graph.param(p.path, { shape: p.shape, dtype: p.dtype }, p.span) };
  }
}

function int(n: number): Value {
  return { k: "int", v: Dim.const(n) };
}

export { typeName };

/** An activation of fixed size (after `--bind`, or written with constants) stays within
 *  MAX_ELEMENTS, so its byte size in a plan or a summary is exact (MM3008). */
export function checkSize(shape: readonly Dim[], span: Span): void {
  const n = constElements(shape); // symbolic: sized when bound
  if (n !== undefined && n > MAX_ELEMENTS) fail("MM3008", span, { value: `a tensor of [${shape.join(", ")}], ${n.toExponential(3)} elements,`, limit: "2^50 elements" });
}
