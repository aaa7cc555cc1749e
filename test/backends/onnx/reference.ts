// A small, independent float64 reference for the numerics tests: plain loops over
// row-major arrays, written from the ops' definitions (PyTorch semantics), not from the
// ONNX lowering.

/** erf via Numerical Recipes' erfc (fractional error < 1.2e-7). */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

export const gelu = (x: number): number => 0.5 * x * (1 + erf(x / Math.SQRT2));
export const geluTanh = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Softmax over `axis` of a row-major tensor. */
export function softmax(x: Float64Array, shape: readonly number[], axis: number): Float64Array {
  const out = new Float64Array(x.length);
  const n = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = x.length / (n * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number): number => o * n * inner + j * inner + i;
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, x[at(j)]!);
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(x[at(j)]! - m);
      for (let j = 0; j < n; j++) out[at(j)] = Math.exp(x[at(j)]! - m) / s;
    }
  }
  return out;
}

/** Layer norm over the last dim d. */
export function layerNorm(x: Float64Array, d: number, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let m = 0;
    for (let j = 0; j < d; j++) m += x[r * d + j]!;
    m /= d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (x[r * d + j]! - m) ** 2;
    v /= d;
    for (let j = 0; j < d; j++) out[r * d + j] = ((x[r * d + j]! - m) / Math.sqrt(v + eps)) * w[j]! + b[j]!;
  }
  return out;
}

/** Mean cross-entropy of logits [n, c] against class ids, PyTorch's rules. */
export function crossEntropy(logits: Float64Array, c: number, targets: ArrayLike<number>, smoothing = 0, ignore = -100, reduction = "mean"): number {
  let total = 0, count = 0;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (t === ignore) continue;
    const row = logits.subarray(i * c, (i + 1) * c);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    const nll = lse - row[t]!;
    const smooth = lse - row.reduce((s, x) => s + x, 0) / c;
    total += (1 - smoothing) * nll + smoothing * smooth;
    count++;
  }
  return reduction === "sum" ? total : total / count;
}

export interface AttnArgs {
  readonly q: Float64Array; readonly k: Float64Array; readonly v: Float64Array;
  readonly b: number; readonly tq: number; readonly tk: number; readonly d: number; readonly dv: number;
  readonly heads: number; readonly causal?: boolean;
  /** keep[b * tk + j]: whether key j may be attended to in batch b. */
  readonly keep?: (b: number, j: number) => boolean;
}

/** Multi-head attention on [B, T, D] tensors, scale 1/sqrt(D/heads). */
export function attention(a: AttnArgs): Float64Array {
  const hd = a.d / a.heads, hv = a.dv / a.heads;
  const out = new Float64Array(a.b * a.tq * a.dv);
  for (let b = 0; b < a.b; b++) for (let h = 0; h < a.heads; h++) for (let i = 0; i < a.tq; i++) {
    const s: number[] = [];
    for (let j = 0; j < a.tk; j++) {
      let dot = 0;
      for (let c = 0; c < hd; c++) dot += a.q[(b * a.tq + i) * a.d + h * hd + c]! * a.k[(b * a.tk + j) * a.d + h * hd + c]!;
      const allowed = (!a.causal || j <= i) && (a.keep?.(b, j) ?? true);
      s.push(allowed ? dot / Math.sqrt(hd) : -Infinity);
    }
    const p = softmax(Float64Array.from(s), [a.tk], 0);
    for (let c = 0; c < hv; c++) {
      let acc = 0;
      for (let j = 0; j < a.tk; j++) acc += p[j]! * a.v[(b * a.tk + j) * a.dv + h * hv + c]!;
      out[(b * a.tq + i) * a.dv + h * hv + c] = acc;
    }
  }
  return out;
}

/** Rows divided by their L2 norm (eps 1e-12). */
export function normalizeRows(x: Float64Array, d: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    const n = Math.max(Math.sqrt(x.subarray(r * d, (r + 1) * d).reduce((s, v) => s + v * v, 0)), 1e-12);
    for (let j = 0; j < d; j++) out[r * d + j] = x[r * d + j]! / n;
  }
  return out;
}

/** a [n, d] @ bᵀ for b [m, d]. */
export function matmulT(a: Float64Array, b: Float64Array, n: number, m: number, d: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += a[i * d + c]! * b[j * d + c]!;
    out[i * m + j] = s;
  }
  return out;
}

export function transpose2(x: Float64Array, n: number, m: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[j * n + i] = x[i * m + j]!;
  return out;
}

/** max |a - b| / max(1, |b|). */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return worst;
}
