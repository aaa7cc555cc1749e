// Embedding, dropout and attention (compiler/ops/nn.ts). From opset 23 attention is the
// ONNX Attention op (3-D inputs with q/kv_num_heads, or 4-D heads-split inputs); before,
// the reference decomposition: split heads, q @ kᵀ · scale, mask, causal mask, Softmax,
// @ v, merge heads. Masked scores take the dtype's lowest finite value rather than -inf,
// so a fully masked row gives a uniform row instead of NaN.
import { Dim } from "../../../base/dims.js";
import { LoweringError, type V } from "../context.js";
import { binary, cast, expand, input, lowest, matmul, mul, reshape, transpose, unary, where, type Emit, type Lowering, type LowerNode } from "./build.js";
import { lowerTriangle } from "./create.js";

interface Sdpa {
  readonly q: V; // [..., Tq, d]
  readonly kT: V; // [..., d, Tk]
  readonly v: V; // [..., Tk, dv]
  readonly mask: V | null;
  readonly causal: boolean;
  readonly scale: V; // a scalar of q's dtype
}

/** softmax(q @ kᵀ · scale + masks) @ v. */
function sdpa(e: Emit, a: Sdpa): V {
  let s = mul(e, matmul(e, a.q, a.kT), a.scale);
  const floor = (): V => e.ctx.scalar(lowest(s.type.dtype), s.type.dtype);
  if (a.mask) s = a.mask.type.dtype === "bool" ? where(e, a.mask, s, floor()) : binary(e, "Add", s, cast(e, a.mask, s.type.dtype));
  if (a.causal) {
    const [tq, tk] = s.type.shape.slice(-2) as [Dim, Dim];
    s = where(e, lowerTriangle(e, tq, tk, 0, [a.q, a.kT]), s, floor());
  }
  return matmul(e, unary(e, "Softmax", s, { axis: { i: -1 } }), a.v);
}

/** onnxruntime's Attention broadcasts a mask over batch and heads only: its last two
 *  dims are expanded to [Tq, Tk]. */
function fullMask(e: Emit, mask: V, tq: Dim, tk: Dim, hints: readonly V[]): V {
  const lead = mask.type.shape.slice(0, Math.max(0, mask.type.shape.length - 2));
  return expand(e, mask, [...lead, tq, tk], hints);
}

/** The recorded scale, or 1/sqrt(head dim) at run time when the head dim is symbolic. */
function scaleOf(e: Emit, n: LowerNode, headDim: Dim, like: V): V {
  if (typeof n.attrs.scale === "number") return e.ctx.scalar(n.attrs.scale, like.type.dtype);
  const d = cast(e, e.dims.scalar(headDim, [like]), like.type.dtype);
  return unary(e, "Reciprocal", unary(e, "Sqrt", d));
}

function heads(n: LowerNode): number {
  const h = n.attrs.heads;
  if (typeof h !== "number") throw new LoweringError("attention: heads is not recorded");
  return h;
}

/** [B, T, h*d] → [B, T, h, d], then permuted. */
function splitHeads(e: Emit, x: V, h: number, perm: readonly number[]): V {
  const [b, t, w] = x.type.shape as [Dim, Dim, Dim];
  const d = w.exactDiv(h);
  if (!d) throw new LoweringError(`attention: ${h} heads do not divide width ${w}`);
  return transpose(e, reshape(e, x, [b, t, Dim.const(h), d]), perm);
}

const attention: Lowering = (e, n) => {
  const q = input(n, 0), k = input(n, 1), v = input(n, 2), mask = n.inputs[3] ?? null;
  const h = heads(n), causal = n.attrs.causal === true;
  const out = n.outputs[0]!;
  if (e.opset >= 23) {
    const attrs = {
      q_num_heads: { i: h }, kv_num_heads: { i: h }, is_causal: { i: causal ? 1 : 0 },
      ...(typeof n.attrs.scale === "number" ? { scale: { f: n.attrs.scale } } : {}),
    };
    return e.ctx.op("Attention", [q, k, v, mask && fullMask(e, mask, q.type.shape[1]!, k.type.shape[1]!, [q, k])], out, attrs);
  }
  const qh = splitHeads(e, q, h, [0, 2, 1, 3]);
  const scale = scaleOf(e, n, qh.type.shape[3]!, q);
  const y = sdpa(e, { q: qh, kT: splitHeads(e, k, h, [0, 2, 3, 1]), v: splitHeads(e, v, h, [0, 2, 1, 3]), mask, causal, scale });
  return reshape(e, transpose(e, y, [0, 2, 1, 3]), out.shape);
};

const scaledDotProduct: Lowering = (e, n) => {
  const q = input(n, 0), k = input(n, 1), v = input(n, 2), mask = n.inputs[3] ?? null;
  const causal = n.attrs.causal === true;
  const r = q.type.shape.length;
  const sameBatch = r === 4 && [k, v].every((x) => x.type.shape.length === 4 && x.type.shape.slice(0, 2).every((d, i) => d.equals(q.type.shape[i]!)));
  if (e.opset >= 23 && sameBatch) {
    const attrs = { is_causal: { i: causal ? 1 : 0 }, ...(typeof n.attrs.scale === "number" ? { scale: { f: n.attrs.scale } } : {}) };
    return e.ctx.op("Attention", [q, k, v, mask && fullMask(e, mask, q.type.shape[r - 2]!, k.type.shape[r - 2]!, [q, k])], n.outputs[0]!, attrs);
  }
  const perm = [...Array.from({ length: k.type.shape.length - 2 }, (_, i) => i), k.type.shape.length - 1, k.type.shape.length - 2];
  const scale = scaleOf(e, n, q.type.shape[r - 1]!, q);
  return sdpa(e, { q, kT: transpose(e, k, perm), v, mask, causal, scale });
};

export const NN_LOWERINGS: Readonly<Record<string, Lowering>> = {
  embedding: (e, n) => {
    const ids = input(n, 0);
    return e.ctx.op("Gather", [input(n, 1), ids.type.dtype === "int32" || ids.type.dtype === "int64" ? ids : cast(e, ids, "int64")], n.outputs[0]!, { axis: { i: 0 } });
  },
  // Inference graphs: dropout is the identity.
  dropout: (e, n) => e.ctx.op("Identity", [input(n, 0)], n.outputs[0]!),
  attention,
  scaled_dot_product: scaledDotProduct,
};

