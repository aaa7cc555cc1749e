// Monomials of symbolic dims (compiler/base/dims.ts): products of atoms with exponents,
// in a graded lexicographic order. Kept apart so dims.ts stays readable.
import type { Dim } from "./dims.js";

export const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** A coefficient, constant or exponent left the exactly representable range ±(2^53 − 1). */
export class DimOverflowError extends Error {
  constructor(readonly value: string, readonly limit = "2^53") {
    super(`dim value ${value} exceeds ${limit}`);
  }
}

/** Terms of one symbolic dim. Products of sums expand ((B + T + 1)^k has (k+1)(k+2)/2 terms)
 *  and each product costs the product of the sizes: past this, a dim is an error (MM3008)
 *  rather than minutes of arithmetic. No model's dim has more than a handful. */
export const MAX_TERMS = 256;
export class DimDivisionByZeroError extends Error {
  constructor() {
    super("division by zero");
  }
}

export type Atom =
  | { readonly kind: "sym"; readonly name: string; readonly key: string }
  | { readonly kind: "floordiv" | "mod"; readonly a: Dim; readonly b: Dim; readonly key: string };
export interface Factor { readonly atom: Atom; readonly exp: number }
export interface Term { readonly mono: readonly Factor[]; readonly mkey: string; readonly coeff: bigint }

const KIND_RANK = { sym: 0, floordiv: 1, mod: 2 } as const;
export function atomCmp(x: Atom, y: Atom): number {
  if (x.kind !== y.kind) return KIND_RANK[x.kind] - KIND_RANK[y.kind];
  if (x.kind === "sym" && y.kind === "sym") return x.name < y.name ? -1 : x.name > y.name ? 1 : 0;
  if (x.kind !== "sym" && y.kind !== "sym") return x.a.compare(y.a) || x.b.compare(y.b);
  return 0;
}
export const degree = (m: readonly Factor[]): number => m.reduce((s, f) => s + f.exp, 0);
export const monoKey = (m: readonly Factor[]): string => m.map((f) => (f.exp === 1 ? f.atom.key : `${f.atom.key}^${f.exp}`)).join("*");

/** Graded lexicographic order (a true monomial order, needed by polynomial division):
 *  higher degree first, then the higher exponent of the earliest atom. */
export function monoCmp(x: readonly Factor[], y: readonly Factor[]): number {
  const d = degree(y) - degree(x);
  if (d !== 0) return d;
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = atomCmp(x[i]!.atom, y[i]!.atom);
    if (c !== 0) return c;
    if (x[i]!.exp !== y[i]!.exp) return y[i]!.exp - x[i]!.exp;
  }
  return x.length - y.length;
}
export function monoMul(x: readonly Factor[], y: readonly Factor[]): Factor[] {
  const out: Factor[] = [];
  let i = 0, j = 0;
  while (i < x.length || j < y.length) {
    const c = i >= x.length ? 1 : j >= y.length ? -1 : atomCmp(x[i]!.atom, y[j]!.atom);
    if (c < 0) out.push(x[i++]!);
    else if (c > 0) out.push(y[j++]!);
    else {
      const exp = x[i]!.exp + y[j]!.exp;
      if (!Number.isSafeInteger(exp)) throw new DimOverflowError(String(BigInt(x[i]!.exp) + BigInt(y[j]!.exp)));
      out.push({ atom: x[i++]!.atom, exp });
      j++;
    }
  }
  return out;
}
/** x / y when the monomial y divides x. */
export function monoDiv(x: readonly Factor[], y: readonly Factor[]): Factor[] | undefined {
  const out: Factor[] = [];
  let j = 0;
  for (const f of x) {
    const g = y[j];
    if (g !== undefined && atomCmp(f.atom, g.atom) === 0) {
      if (g.exp > f.exp) return undefined;
      if (f.exp > g.exp) out.push({ atom: f.atom, exp: f.exp - g.exp });
      j++;
    } else out.push(f);
  }
  return j === y.length ? out : undefined;
}
export const term = (mono: readonly Factor[], coeff: bigint): Term => ({ mono, mkey: monoKey(mono), coeff });
export const floorDivBig = (a: bigint, b: bigint): bigint => (a % b !== 0n && (a < 0n) !== (b < 0n) ? a / b - 1n : a / b);
export const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a; b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
};

