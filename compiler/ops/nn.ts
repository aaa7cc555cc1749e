// Neural-network building blocks: embedding lookup, dropout, and attention.
import { Dim } from "../base/dims.js";
import { formatShape, type Shape, type TensorType } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpArgs, OpDef, OpParam } from "./op.js";
import { T, broadcast, broadcastTo, floatIn, needDType, needFloat, needInt, needRank, needShape, result, tensorParam } from "./util.js";

/** "use heads: 8 or 12 (divisors of 768 near 10)" */
export function headsHint(width: number, heads: number): string | undefined {
  let below: number | undefined, above: number | undefined;
  for (let d = Math.min(heads - 1, width); d >= 1 && below === undefined; d--) if (width % d === 0) below = d;
  // Bounded search: the hint is about nearby head counts, not every divisor of a large width.
  for (let d = heads + 1; d <= Math.min(width, 4 * heads + 16) && above === undefined; d++) if (width % d === 0) above = d;
  const near = [below, above].filter((d): d is number => d !== undefined);
  if (near.length === 0) return undefined;
  return near.length === 2
    ? `use heads: ${near[0]} or ${near[1]} (divisors of ${width} near ${heads})`
    : `use heads: ${near[0]} (a divisor of ${width} near ${heads})`;
}

/** The per-head width, width / heads; MM4007 when heads does not divide it. */
function perHead(args: OpArgs, param: string, width: Dim, heads: number): Dim {
  const q = width.exactDiv(heads);
  if (q !== undefined) return q;
  const w = width.constValue();
  const hint = w !== undefined ? headsHint(w, heads) : undefined;
  fail("MM4007", args.span("heads"), { width: width.toString(), heads }, {
    ...(hint ? { hint } : {}), related: [{ span: args.span(param), message: `${param} has width ${width}` }],
  });
}

function checkMask(args: OpArgs, target: Shape, hint: string): boolean {
  const mask = args.optTensor("mask");
  if (!mask) return false;
  if (mask.dtype !== "bool") needFloat(args, "mask", mask, "attention mask (bool, or float added to the scores)");
  if (mask.shape.length > target.length)
    fail("MM4008", args.span("mask"), { what: "attention mask", expected: `at most ${target.length}`, actual: mask.shape.length, shape: formatShape(mask.shape) }, { hint });
  broadcastTo(args, "mask", mask.shape, target, hint);
  return true;
}

/** q @ k^T needs equal feature dims. */
function checkInner(args: OpArgs, q: TensorType, k: TensorType): void {
  const dq = q.shape[q.shape.length - 1]!, dk = k.shape[k.shape.length - 1]!;
  if (!dq.equals(dk))
    fail("MM4002", args.span("k"), { left: formatShape(q.shape), right: `${formatShape(k.shape)}.T`, a: dq.toString(), b: dk.toString() }, {
      hint: "queries and keys must have the same width", related: [{ span: args.span("q"), message: `queries have shape ${formatShape(q.shape)}` }],
    });
}

const ATTN_COMMON: readonly OpParam[] = [
  { name: "causal", kind: "bool", default: false, doc: "query i attends to keys j <= i only" },
  { name: "scale", kind: "float?", doc: "score scale; 1/sqrt(head dim) when absent" },
];

function scaleAttr(args: OpArgs, headDim: Dim): number | null {
  const s = args.optFloat("scale");
  if (s !== undefined) return s;
  const d = headDim.constValue();
  return d === undefined ? null : 1 / Math.sqrt(d);
}

export const NN_OPS: readonly OpDef[] = [
  {
    name: "embedding", category: "nn", doc: "Looks up rows of a table by integer ids.",
    shapeRule: "ids [d...] int, table [vocab, dim] → [d..., dim]",
    params: [tensorParam("ids"), tensorParam("table")],
    infer(args) {
      const ids = args.tensor("ids"), table = args.tensor("table");
      needInt(args, "ids", ids, "embedding ids", "token ids are integers: declare the input as int64, e.g. `input ids: [B, T] int64`");
      needRank(args, "table", table, "embedding table", 2, 2, "the table is [vocab, dim]");
      return result(T([...ids.shape, table.shape[1]!], table.dtype));
    },
  },
  {
    name: "dropout", category: "nn", doc: "Zeroes entries with probability p while training; the identity at inference.",
    shapeRule: "x → x",
    params: [tensorParam("x"), { name: "p", kind: "float" }],
    infer(args) {
      const x = args.tensor("x");
      return result(x, { p: floatIn(args, "p", 0, 1, true) });
    },
  },
  {
    name: "attention", category: "nn",
    doc: "Multi-head scaled dot-product attention over already-projected q, k, v.",
    shapeRule: "q [B, Tq, D], k [B, Tk, D], v [B, Tk, Dv], mask? broadcastable to [B, heads, Tq, Tk] → [B, Tq, Dv]; heads divides D and Dv",
    decomposition: "reshape to heads, q@k^T * scale, mask, softmax, @v, merge heads",
    params: [tensorParam("q"), tensorParam("k"), tensorParam("v"), { name: "mask", kind: "tensor?" }, { name: "heads", kind: "int" }, ...ATTN_COMMON],
    infer(args) {
      const q = args.tensor("q"), k = args.tensor("k"), v = args.tensor("v");
      for (const [p, t] of [["q", q], ["k", k], ["v", v]] as const) {
        needRank(args, p, t, `attention ${p}`, 3, 3, "attention takes [B, T, D]; use scaled_dot_product for tensors already split into heads");
        needFloat(args, p, t, `attention ${p}`);
        if (p !== "q") needDType(args, p, t, q.dtype, `attention ${p}`);
      }
      const [b, tq, d] = q.shape as [Dim, Dim, Dim];
      needShape(args, "k", "attention keys batch", [b], k.shape.slice(0, 1));
      checkInner(args, q, k);
      needShape(args, "v", "attention values", [b, k.shape[1]!], v.shape.slice(0, 2), "values need the same batch and length as keys");
      const heads = args.num("heads");
      if (heads <= 0) fail("MM3017", args.span("heads"), { value: heads });
      const hd = perHead(args, "q", d, heads);
      const dv = v.shape[2]!;
      perHead(args, "v", dv, heads);
      const target = [b, Dim.const(heads), tq, k.shape[1]!];
      const masked = checkMask(args, target, `a mask broadcasts to [B, heads, Tq, Tk] = ${formatShape(target)}; a padding mask [B, Tk] needs reshaping to [B, 1, 1, Tk]`);
      return result(T([b, tq, dv], q.dtype), { heads, causal: args.bool("causal"), scale: scaleAttr(args, hd), mask: masked });
    },
  },
  {
    name: "scaled_dot_product", category: "nn",
    doc: "Scaled dot-product attention on tensors already split into heads.",
    shapeRule: "q [..., Tq, d], k [..., Tk, d], v [..., Tk, dv], mask? broadcastable to [..., Tq, Tk] → [..., Tq, dv]",
    decomposition: "softmax(q @ k.T * scale + mask) @ v",
    params: [tensorParam("q"), tensorParam("k"), tensorParam("v"), { name: "mask", kind: "tensor?" }, ...ATTN_COMMON],
    infer(args) {
      const q = args.tensor("q"), k = args.tensor("k"), v = args.tensor("v");
      for (const [p, t] of [["q", q], ["k", k], ["v", v]] as const) {
        needRank(args, p, t, `scaled_dot_product ${p}`, 2, Infinity, "scaled_dot_product takes [..., T, d]");
        needFloat(args, p, t, `scaled_dot_product ${p}`);
        if (p !== "q") needDType(args, p, t, q.dtype, `scaled_dot_product ${p}`);
      }
      checkInner(args, q, k);
      const tk = k.shape[k.shape.length - 2]!, tv = v.shape[v.shape.length - 2]!;
      if (!tk.equals(tv)) fail("MM4001", args.span("v"), { what: "scaled_dot_product values length", expected: tk.toString(), actual: tv.toString() }, { hint: "values need the same length as keys" });
      const qk = broadcast(args, "q", q.shape.slice(0, -2), "k", k.shape.slice(0, -2));
      const batch = broadcast(args, "k", qk, "v", v.shape.slice(0, -2));
      const tq = q.shape[q.shape.length - 2]!;
      const masked = checkMask(args, [...batch, tq, tk], "a mask broadcasts to [..., Tq, Tk]");
      const hd = q.shape[q.shape.length - 1]!;
      return result(T([...batch, tq, v.shape[v.shape.length - 1]!], q.dtype), { causal: args.bool("causal"), scale: scaleAttr(args, hd), mask: masked });
    },
  },
];
