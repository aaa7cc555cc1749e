// decompose: rewrites composite ops a target does not render itself (`native` says which it
// does) into primitive ops, once for every backend, so the arithmetic has one definition:
// PyTorch's reduction rules, label smoothing, ignore_index, 0·log 0 = 0 (xlogy), the grouped
// statistics of group_norm. New nodes are typed by the op table's shape rules (ir/build.ts);
// the last node of a rule takes over the composite node's output value (its id, name and
// type), so no consumer or graph output needs rewiring.
import type { Span } from "../../ast/ast.js";
import { Dim } from "../../base/dims.js";
import { isFloatDType } from "../../base/tensor.js";
import { IrBuilder, type BuildArg } from "../build.js";
import { IrError, type IrGraph, type IrNode, type IrValue } from "../ir.js";

/** Builds one rule's nodes: `op` adds a node and returns its (first) output. */
interface Ctx {
  readonly b: IrBuilder;
  readonly n: IrNode;
  op(name: string, args: Readonly<Record<string, BuildArg>>): number;
  scalar(value: number, like: number): number;
  int(value: number): number;
}

type Rule = (c: Ctx) => number;

const t = (id: number): { t: number } => ({ t: id });
const num = (n: IrNode, k: string): number => {
  const v = n.attrs[k];
  if (typeof v !== "number") throw new IrError(`${n.op}: attribute ${k} is not a number`);
  return v;
};
const reductionOf = (n: IrNode): string => (typeof n.attrs.reduction === "string" ? n.attrs.reduction : "mean");

function reduced(c: Ctx, l: number, reduction: string): number {
  if (reduction === "sum") return c.op("sum", { x: t(l) });
  if (reduction === "mean") return c.op("mean", { x: t(l) });
  return c.op("identity", { x: t(l) });
}

/** A dim as a float scalar of `like`'s dtype: a constant, or counted at run time. */
function dimAsFloat(c: Ctx, d: Dim, like: number): number {
  const k = d.constValue();
  if (k !== undefined) return c.scalar(k, like);
  return c.op("sum", { x: t(c.op("ones", { shape: [d], dtype: c.b.type(like).dtype })) });
}

const crossEntropy: Rule = (c) => {
  const [logits, targets] = [c.n.inputs[0]!, c.n.inputs[1]!];
  const axis = num(c.n, "axis"), eps = num(c.n, "label_smoothing"), reduction = reductionOf(c.n);
  const logp = c.op("log_softmax", { x: t(logits), axis });
  const classes = c.b.type(logits).shape[axis]!;
  if (isFloatDType(c.b.type(targets).dtype)) {
    const soft = eps > 0
      ? c.op("add", { a: t(c.op("mul", { a: t(targets), b: t(c.scalar(1 - eps, targets)) })), b: t(c.op("div", { a: t(c.scalar(eps, targets)), b: t(dimAsFloat(c, classes, targets)) })) })
      : targets;
    const l = c.op("neg", { x: t(c.op("sum", { x: t(c.op("mul", { a: t(soft), b: t(logp) })), axes: [axis] })) });
    return reduced(c, l, reduction);
  }
  const valid = c.op("ne", { a: t(targets), b: t(c.int(num(c.n, "ignore_index"))) });
  const safe = c.op("where", { cond: t(valid), a: t(targets), b: t(c.int(0)) });
  // The target's log-probability: selected where the class index equals the target (a
  // select, not a one-hot product, which would be NaN at a -inf log-probability).
  const rank = c.b.type(logits).shape.length;
  const ids = c.op("reshape", { x: t(c.op("arange", { n: classes })), shape: [classes, ...Array.from({ length: rank - 1 - axis }, () => 1)] });
  const hit = c.op("eq", { a: t(c.op("unsqueeze", { x: t(safe), axis })), b: t(ids) });
  const picked = c.op("sum", { x: t(c.op("where", { cond: t(hit), a: t(logp), b: t(c.scalar(0, logp)) })), axes: [axis] });
  let l = c.op("neg", { x: t(picked) });
  if (eps > 0) {
    const smooth = c.op("neg", { x: t(c.op("mean", { x: t(logp), axes: [axis] })) });
    l = c.op("add", { a: t(c.op("mul", { a: t(l), b: t(c.scalar(1 - eps, l)) })), b: t(c.op("mul", { a: t(smooth), b: t(c.scalar(eps, l)) })) });
  }
  l = c.op("where", { cond: t(valid), a: t(l), b: t(c.scalar(0, l)) });
  if (reduction !== "mean") return reduced(c, l, reduction);
  const count = c.op("sum", { x: t(c.op("cast", { x: t(valid), dtype: c.b.type(l).dtype })) });
  return c.op("div", { a: t(c.op("sum", { x: t(l) })), b: t(count) });
};

const RULES: Readonly<Record<string, Rule>> = {
  cross_entropy: crossEntropy,
  binary_cross_entropy_with_logits: (c) => {
    // max(x, 0) - x·y + log(1 + exp(-|x|)), stable for large |x|.
    const [x, y] = [c.n.inputs[0]!, c.n.inputs[1]!];
    const stable = c.op("softplus", { x: t(c.op("neg", { x: t(c.op("abs", { x: t(x) })) })) });
    const l = c.op("add", { a: t(c.op("sub", { a: t(c.op("relu", { x: t(x) })), b: t(c.op("mul", { a: t(x), b: t(y) })) })), b: t(stable) });
    return reduced(c, l, reductionOf(c.n));
  },
  kl_div: (c) => {
    // q·log q - q·log p, with 0·log 0 = 0 (PyTorch's xlogy).
    const [logp, q] = [c.n.inputs[0]!, c.n.inputs[1]!];
    const zero = c.scalar(0, q);
    const qlogq = c.op("where", { cond: t(c.op("eq", { a: t(q), b: t(zero) })), a: t(zero), b: t(c.op("mul", { a: t(q), b: t(c.op("log", { x: t(q) })) })) });
    const l = c.op("sub", { a: t(qlogq), b: t(c.op("mul", { a: t(q), b: t(logp) })) });
    const reduction = reductionOf(c.n);
    if (reduction !== "batchmean") return reduced(c, l, reduction);
    const total = c.op("sum", { x: t(l) });
    const shape = c.b.type(l).shape;
    return shape.length === 0 ? c.op("identity", { x: t(total) }) : c.op("div", { a: t(total), b: t(dimAsFloat(c, shape[0]!, l)) });
  },
  mse: (c) => {
    const d = c.op("sub", { a: t(c.n.inputs[0]!), b: t(c.n.inputs[1]!) });
    return reduced(c, c.op("mul", { a: t(d), b: t(d) }), reductionOf(c.n));
  },
  cosine_similarity: (c) => {
    // The axis indexes the broadcast shape; counted from the end it indexes both operands.
    const [a, b] = [c.n.inputs[0]!, c.n.inputs[1]!];
    const eps = num(c.n, "eps");
    const rank = Math.max(c.b.type(a).shape.length, c.b.type(b).shape.length);
    const axis = num(c.n, "axis") - rank;
    const unit = (x: number): number => c.op("normalize", { x: t(x), axis: c.b.type(x).shape.length + axis, p: 2, eps });
    return c.op("sum", { x: t(c.op("mul", { a: t(unit(a)), b: t(unit(b)) })), axes: [rank + axis] });
  },
  group_norm: (c) => {
    // The statistics of each group of channels (and all spatial positions): a layer norm of
    // [N, groups, rest] without its affine part, then the per-channel weight and bias.
    const x = c.n.inputs[0]!, groups = num(c.n, "groups"), eps = num(c.n, "eps");
    const s = c.b.type(x).shape;
    const rest = s.slice(1).reduce((p, q) => p.mul(q), Dim.ONE).exactDiv(groups);
    if (!rest) throw new IrError(`group_norm: ${groups} groups do not divide the channels`);
    const grouped = c.op("reshape", { x: t(x), shape: [s[0]!, groups, rest] });
    let y = c.op("reshape", { x: t(c.op("layer_norm", { x: t(grouped), eps })), shape: [...s] });
    const lift = (v: number): number => c.op("reshape", { x: t(v), shape: [s[1]!, ...s.slice(2).map(() => 1)] });
    const [weight, bias] = [c.n.inputs[1], c.n.inputs[2]]; // the tensor operands: x, weight?, bias?
    if (weight != null) y = c.op("mul", { a: t(y), b: t(lift(weight)) });
    if (bias != null) y = c.op("add", { a: t(y), b: t(lift(bias)) });
    return y;
  },
};

/** The composite ops this pass can rewrite. */
export const DECOMPOSABLE: readonly string[] = Object.keys(RULES);

/** Rewrites every node of a composite op the target does not render (`native(op)` false). */
export function decompose(g: IrGraph, native: (op: string) => boolean): IrGraph {
  if (!g.nodes.some((n) => RULES[n.op] && !native(n.op))) return g;
  const b = new IrBuilder(g);
  const nodes: IrNode[] = [];
  const retired = new Set<number>();
  const named = new Map<number, IrValue>();
  const valueById = new Map(g.values.map((v) => [v.id, v]));
  const producer = new Map<number, number>(); // a renamed output's new node
  for (const n of g.nodes) {
    const rule = RULES[n.op];
    if (!rule || native(n.op)) {
      nodes.push(n);
      continue;
    }
    const out = valueById.get(n.outputs[0]!)!;
    const at = { scope: n.scope, span: n.span as Span, name: out.name };
    const start = b.nodes.length;
    const ctx: Ctx = {
      b, n,
      op: (name, args) => b.op(name, args, at)[0]!,
      scalar: (value, like) => b.constant(value, isFloatDType(b.type(like).dtype) ? b.type(like).dtype : "float32", `${out.name}/const`, n.span),
      int: (value) => b.constant(value, "int64", `${out.name}/const`, n.span),
    };
    const result = rule(ctx);
    const made = b.nodes.slice(start);
    const last = made[made.length - 1];
    if (!last || !last.outputs.includes(result)) throw new IrError(`decompose ${n.op}: the rule's result is not its last node's output`);
    // The last node takes over the composite's output value; the temporary value goes.
    retired.add(result);
    named.set(out.id, out);
    for (const m of made) nodes.push(m === last ? { ...m, outputs: m.outputs.map((o) => (o === result ? out.id : o)) } : m);
    producer.set(out.id, last.id);
  }
  const values = b.values.filter((v) => !retired.has(v.id)).map((v) => {
    const o = named.get(v.id);
    return o ? { ...o, source: { kind: "node" as const, node: producer.get(o.id)!, index: 0 } } : v;
  }).sort((x, y) => x.id - y.id);
  return { ...g, values, nodes };
}
