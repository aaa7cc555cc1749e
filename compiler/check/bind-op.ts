// Binds the arguments of a primitive-op call to the op's declared parameters, checking
// kinds, and exposes them to the op's shape rule through OpArgs.
import type { Span } from "../ast/ast.js";
import { fail } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { EvArg } from "../elaborate/eval.js";
import { typeName, type Value } from "../elaborate/values.js";
import type { OpArgs, OpAttrs, OpDef, OpParam } from "../ops/op.js";
import { Dim } from "../base/dims.js";
import type { TensorRef } from "../ir/ir.js";
import { isDType, type DType, type TensorType } from "../base/tensor.js";

export interface BoundOp {
  readonly args: OpArgs;
  /** Tensor operands in parameter order (absent optional tensors are null). */
  readonly tensors: readonly (TensorRef | null)[];
  /** Compile-time arguments as plain attributes (symbolic Ints as their Dim); empty when
   *  bound without them (`withAttrs` false). */
  readonly attrs: OpAttrs;
}

type Slot = { value: Value; span: Span } | undefined;

/** Makes a tensor operand of a scalar next to a tensor (check/frame.ts). */
export interface TensorMaker {
  toTensor(v: Value, span: Span, like?: TensorType): TensorRef | undefined;
}

// Slots and tensors are arrays in parameter order, not maps by name: ops are bound by the
// thousand in a check, and their parameter lists are short. `withAttrs` false: the caller
// keeps no graph, so compile-time arguments are not copied out as attributes (the shape rule
// reads them through OpArgs either way).
export function bindOp(def: OpDef, evArgs: readonly EvArg[], callSpan: Span, maker: TensorMaker, withAttrs = true): BoundOp {
  const params = def.params;
  const slots: Slot[] = new Array<Slot>(params.length);
  let pos = 0;
  for (const a of evArgs) {
    if (a.name === undefined) {
      if (pos >= params.length) fail("MM3004", a.span, { callee: def.name, max: params.length, given: evArgs.filter((x) => !x.name).length });
      slots[pos++] = a; // an argument is its own slot (value and span)
    }
  }
  for (const a of evArgs) {
    if (a.name === undefined) continue;
    const i = indexOf(def, a.name);
    if (i < 0) {
      const h = didYouMean(a.name, params.map((x) => x.name)) ?? pytorchName(def, a.name);
      fail("MM3003", a.nameSpan ?? a.span, { callee: def.name, name: a.name }, h ? { hint: h } : {});
    }
    if (slots[i] !== undefined) fail("MM3011", a.nameSpan ?? a.span, { name: a.name });
    slots[i] = a;
  }
  // A scalar operand takes the dtype of the first tensor operand that is not a bool mask
  // (`where(keep, x, -100)`: -100 is x's int64, not a bool), else of the first tensor.
  let like: TensorType | undefined;
  for (const a of evArgs) {
    if (a.value.k !== "tensor") continue;
    like ??= a.value.t.type;
    if (a.value.t.type.dtype !== "bool") {
      like = a.value.t.type;
      break;
    }
  }
  const tensors: (TensorRef | null)[] = [];
  const tensorOf: TensorSlot[] = new Array<TensorSlot>(params.length);
  const attrs: Record<string, OpAttrs[string]> = {};
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    const s = slots[i];
    if (!s && p.default === undefined && !p.kind.endsWith("?")) {
      fail("MM3002", callSpan, { name: p.name, callee: def.name }, { hint: `${def.name}(${params.map(sig).join(", ")})` });
    }
    if (p.kind === "tensor" || p.kind === "tensor?") {
      const t = s && s.value.k !== "none" ? maker.toTensor(s.value, s.span, like) : undefined;
      if (s && s.value.k !== "none" && !t) fail("MM3018", s.span, { what: `argument '${p.name}' of ${def.name}`, expected: "a tensor", actual: typeName(s.value) });
      tensorOf[i] = t;
      tensors.push(t ?? null);
    } else if (p.kind === "tensors") {
      if (!s || s.value.k !== "list") fail("MM3018", s?.span ?? callSpan, { what: `argument '${p.name}' of ${def.name}`, expected: "a list of tensors", actual: s ? typeName(s.value) : "nothing" });
      const ts = s.value.items.map((v) => {
        const t = maker.toTensor(v, s.span, like);
        if (!t) fail("MM3018", s.span, { what: `items of '${p.name}'`, expected: "tensors", actual: typeName(v) });
        return t;
      });
      tensorOf[i] = ts;
      tensors.push(...ts);
    } else if (withAttrs) {
      attrs[p.name] = s ? plain(s.value) : (p.default ?? null);
    }
  }
  return { args: new BoundArgs(def, slots, tensorOf, callSpan), tensors, attrs };
}

type TensorSlot = TensorRef | readonly TensorRef[] | undefined;

function indexOf(def: OpDef, name: string): number {
  const ps = def.params;
  for (let i = 0; i < ps.length; i++) if (ps[i]!.name === name) return i;
  return -1;
}

/** The bound arguments as the op's shape rule reads them (one object per op call; its
 *  methods live on the prototype, since ops run by the thousand). */
class BoundArgs implements OpArgs {
  constructor(
    private readonly def: OpDef,
    private readonly slots: readonly Slot[],
    private readonly tensorOf: readonly TensorSlot[],
    readonly callSpan: Span,
  ) {}

  /** The index of parameter `name`; the op's shape rule only asks for its own parameters. */
  private at(name: string): number {
    const i = indexOf(this.def, name);
    if (i < 0) throw new Error(`internal: op ${this.def.name} has no parameter ${name}`);
    return i;
  }
  private missing(name: string): never {
    return fail("MM3002", this.callSpan, { name, callee: this.def.name });
  }
  private intOf(name: string): Dim | undefined {
    const i = this.at(name);
    const p = this.def.params[i]!;
    const s = this.slots[i];
    if (!s || s.value.k === "none") return typeof p.default === "number" ? Dim.const(p.default) : undefined;
    if (s.value.k !== "int") fail("MM3018", s.span, { what: `argument '${name}' of ${this.def.name}`, expected: "Int", actual: typeName(s.value) });
    return s.value.v;
  }
  private intsOf(name: string): readonly Dim[] | undefined {
    const i = this.at(name);
    const p = this.def.params[i]!;
    const s = this.slots[i];
    if (!s || s.value.k === "none") return Array.isArray(p.default) ? p.default.map((n: number) => Dim.const(n)) : typeof p.default === "number" ? [Dim.const(p.default)] : undefined;
    if (s.value.k === "int") return [s.value.v];
    if (s.value.k !== "list") fail("MM3018", s.span, { what: `argument '${name}' of ${this.def.name}`, expected: "a list of Ints", actual: typeName(s.value) });
    return s.value.items.map((v) => {
      if (v.k !== "int") fail("MM3018", s.span, { what: `items of '${name}'`, expected: "Ints", actual: typeName(v) });
      return v.v;
    });
  }
  private floatOf(name: string): number | undefined {
    const i = this.at(name);
    const p = this.def.params[i]!;
    const s = this.slots[i];
    if (!s || s.value.k === "none") return typeof p.default === "number" ? p.default : undefined;
    if (s.value.k === "float") return s.value.v;
    if (s.value.k === "int" && s.value.v.isConst()) return s.value.v.constValue()!;
    fail("MM3018", s.span, { what: `argument '${name}' of ${this.def.name}`, expected: "Float", actual: typeName(s.value) });
  }

  tensor(n: string): TensorType {
    const t = this.tensorOf[this.at(n)];
    if (!t || Array.isArray(t)) this.missing(n);
    return (t as TensorRef).type;
  }
  optTensor(n: string): TensorType | undefined {
    const t = this.tensorOf[this.at(n)];
    return t && !Array.isArray(t) ? (t as TensorRef).type : undefined;
  }
  tensors(n: string): readonly TensorType[] {
    const t = this.tensorOf[this.at(n)];
    return Array.isArray(t) ? (t as readonly TensorRef[]).map((x) => x.type) : [];
  }
  int(n: string): Dim { return this.intOf(n) ?? this.missing(n); }
  num(n: string): number {
    const d = this.intOf(n) ?? this.missing(n);
    const c = d.constValue();
    if (c === undefined) fail("MM3015", this.span(n), { what: `argument '${n}' of ${this.def.name}`, actual: `symbolic ${d.toString()}` });
    return c;
  }
  optInt(n: string): Dim | undefined { return this.intOf(n); }
  ints(n: string): readonly Dim[] { return this.intsOf(n) ?? this.missing(n); }
  optInts(n: string): readonly Dim[] | undefined { return this.intsOf(n); }
  float(n: string): number { return this.floatOf(n) ?? this.missing(n); }
  optFloat(n: string): number | undefined { return this.floatOf(n); }
  bool(n: string): boolean {
    const i = this.at(n);
    const s = this.slots[i];
    if (!s) return this.def.params[i]!.default === true;
    if (s.value.k !== "bool") fail("MM3018", s.span, { what: `argument '${n}' of ${this.def.name}`, expected: "Bool", actual: typeName(s.value) });
    return s.value.v;
  }
  string(n: string): string {
    const i = this.at(n);
    const p = this.def.params[i]!;
    const s = this.slots[i];
    if (!s) return typeof p.default === "string" ? p.default : "";
    if (s.value.k === "string") return s.value.v;
    if (s.value.k === "enum") return s.value.member;
    fail("MM3018", s.span, { what: `argument '${n}' of ${this.def.name}`, expected: "String", actual: typeName(s.value) });
  }
  dtype(n: string): DType {
    const i = this.at(n);
    const p = this.def.params[i]!;
    const s = this.slots[i];
    if (!s) return (typeof p.default === "string" && isDType(p.default) ? p.default : "float32") as DType;
    if (s.value.k === "dtype") return s.value.v;
    if (s.value.k === "string" && isDType(s.value.v)) return s.value.v;
    fail("MM3018", s.span, { what: `argument '${n}' of ${this.def.name}`, expected: "a dtype", actual: typeName(s.value) });
  }
  span(n: string): Span {
    const i = indexOf(this.def, n);
    return (i >= 0 ? this.slots[i]?.span : undefined) ?? this.callSpan;
  }
}

function sig(p: OpParam): string {
  return p.default !== undefined ? `${p.name}: ${JSON.stringify(p.default)}` : p.kind.endsWith("?") ? `${p.name}?` : p.name;
}

function plain(v: Value): OpAttrs[string] {
  switch (v.k) {
    case "int": return v.v.constValue() ?? v.v; // symbolic: the Dim itself (see OpAttrs)
    case "float": case "bool": case "string": return v.v;
    case "enum": return v.member;
    case "dtype": return v.v;
    case "none": return null;
    case "list": {
      const xs = v.items.map((x) => (x.k === "int" ? x.v.constValue() : x.k === "float" ? x.v : undefined));
      return xs.every((x): x is number => x !== undefined) ? xs : v.items.map((x) => (x.k === "int" ? x.v.toString() : "?")).join(",");
    }
    default: return null;
  }
}

/** PyTorch's argument names that mm spells differently, for a hint. */
const PYTORCH_NAMES: Readonly<Record<string, readonly string[]>> = {
  dim: ["axis", "axes"], dims: ["axes"], keepdims: ["keepdim"], num_heads: ["heads"], num_classes: ["classes"],
};

function pytorchName(def: OpDef, name: string): string | undefined {
  const ours = (Object.hasOwn(PYTORCH_NAMES, name) ? PYTORCH_NAMES[name] : undefined)?.find((n) => def.params.some((p) => p.name === n));
  return ours === undefined ? undefined : `mm's ${def.name} takes \`${ours}:\` where PyTorch writes \`${name}=\``;
}
