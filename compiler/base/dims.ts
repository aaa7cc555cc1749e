// Symbolic dims: exact integer polynomials over runtime symbols (B, T, ...). Floor division
// and modulo that do not simplify become opaque atoms, so every result is again a Dim.
// Coefficients are BigInt internally and checked against 2^53 so results stay exact.
import type { Shape } from "./tensor.js";
import {
  type Atom, type Term, MAX, MAX_TERMS, DimDivisionByZeroError, DimOverflowError,
  floorDivBig, gcd, monoCmp, monoDiv, monoMul, term,
} from "./monomial.js";

export { DimDivisionByZeroError, DimOverflowError };

export class Dim {
  static readonly ZERO = new Dim([]);
  static readonly ONE = Dim.fromBig(1n);

  private constructor(private readonly terms: readonly Term[]) {
    this.num = terms.length === 0 ? 0 : terms.length === 1 && terms[0]!.mono.length === 0 ? Number(terms[0]!.coeff) : undefined;
  }
  /** The value when this is a constant, as a Number (the fast path's operand). Kept, not
   *  recomputed: converting a BigInt at every arithmetic step was a visible cost. */
  private readonly num: number | undefined;
  private keyText?: string;
  /** Canonical: structurally equal dims have equal keys. Computed on first use. */
  get key(): string {
    return (this.keyText ??= this.terms.map((t) => `${t.coeff}|${t.mkey}`).join("+"));
  }

  /** Constants are most dims: they are interned, and arithmetic on two of them takes a
   *  Number fast path (exact while the result is a safe integer). */
  private static readonly consts = new Map<number, Dim>();
  static const(n: number): Dim {
    const hit = Dim.consts.get(n);
    if (hit) return hit;
    if (!Number.isInteger(n)) throw new RangeError(`dim ${n} is not an integer`);
    const d = Dim.fromBig(BigInt(n));
    if (Dim.consts.size < 100_000) Dim.consts.set(n, d);
    return d;
  }
  private static fast(r: number): Dim | undefined {
    return Number.isSafeInteger(r) ? Dim.const(r) : undefined;
  }
  static fromBig(n: bigint): Dim {
    return Dim.build([term([], n)]);
  }
  /** Symbols are interned too: a forward's dims are mostly a few names (B, T). */
  private static readonly syms = new Map<string, Dim>();
  static sym(name: string): Dim {
    const hit = Dim.syms.get(name);
    if (hit) return hit;
    const d = Dim.build([term([{ atom: { kind: "sym", name, key: name }, exp: 1 }], 1n)]);
    if (Dim.syms.size < 10_000) Dim.syms.set(name, d);
    return d;
  }
  /** Merges like monomials, drops zeros, sorts, and checks the 2^53 bound. */
  private static build(terms: readonly Term[]): Dim {
    if (terms.length <= 1) { // nothing to merge or sort
      const t = terms[0];
      if (t === undefined || t.coeff === 0n) return new Dim([]);
      if (t.coeff > MAX || t.coeff < -MAX) throw new DimOverflowError(render(terms));
      return new Dim(terms);
    }
    const byKey = new Map<string, Term>();
    for (const t of terms) {
      const prev = byKey.get(t.mkey);
      byKey.set(t.mkey, prev ? { ...prev, coeff: prev.coeff + t.coeff } : t);
    }
    const out = [...byKey.values()].filter((t) => t.coeff !== 0n).sort((x, y) => monoCmp(x.mono, y.mono));
    if (out.length > MAX_TERMS) throw new DimOverflowError(`a symbolic dim of ${out.length} terms`, `${MAX_TERMS} terms`);
    if (out.some((t) => t.coeff > MAX || t.coeff < -MAX)) throw new DimOverflowError(render(out));
    return new Dim(out);
  }
  private static opaque(kind: "floordiv" | "mod", a: Dim, b: Dim): Dim {
    const atom: Atom = { kind, a, b, key: `${kind}(${a.key};${b.key})` };
    return Dim.build([term([{ atom, exp: 1 }], 1n)]);
  }

  isZero(): boolean { return this.terms.length === 0; }
  isConst(): boolean { return this.terms.length === 0 || (this.terms.length === 1 && this.terms[0]!.mono.length === 0); }
  constValue(): number | undefined { return this.num; }
  private constBig(): bigint | undefined { return this.isConst() ? (this.terms[0]?.coeff ?? 0n) : undefined; }

  add(o: Dim | number): Dim {
    const b = toDim(o);
    const x = this.num, y = b.num;
    if (x !== undefined && y !== undefined) { const f = Dim.fast(x + y); if (f) return f; }
    if (y === 0) return this;
    if (x === 0) return b;
    return Dim.merge(this.terms, b.terms);
  }
  /** The sum of two canonical term lists, merged in order (what `build` would sort into). */
  private static merge(a: readonly Term[], b: readonly Term[]): Dim {
    const out: Term[] = [];
    let i = 0, j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!, y = b[j]!;
      const c = monoCmp(x.mono, y.mono);
      if (c < 0) { out.push(x); i++; continue; }
      if (c > 0) { out.push(y); j++; continue; }
      const coeff = x.coeff + y.coeff;
      // Out of range (or, never, equal order but other monomials): `build` reports it.
      if (coeff > MAX || coeff < -MAX || x.mkey !== y.mkey) return Dim.build([...a, ...b]);
      if (coeff !== 0n) out.push({ mono: x.mono, mkey: x.mkey, coeff });
      i++; j++;
    }
    while (i < a.length) out.push(a[i++]!);
    while (j < b.length) out.push(b[j++]!);
    return new Dim(out);
  }
  sub(o: Dim | number): Dim {
    const b = toDim(o);
    const x = this.num, y = b.num;
    if (x !== undefined && y !== undefined) { const f = Dim.fast(x - y); if (f) return f; }
    return this.add(b.neg());
  }
  neg(): Dim { return this.scale(-1n); } // monomials and their order are unchanged
  mul(o: Dim | number): Dim {
    const b = toDim(o);
    const x = this.num, y = b.num;
    if (x !== undefined && y !== undefined) { const f = Dim.fast(x * y); if (f) return f; }
    if (y === 1) return this;
    if (x === 1) return b;
    // A polynomial times a constant (`B * 768`): monomials and their order are unchanged.
    if (y !== undefined) return this.scale(BigInt(y));
    if (x !== undefined) return b.scale(BigInt(x));
    if (this.terms.length * b.terms.length > MAX_TERMS * MAX_TERMS) throw new DimOverflowError("a symbolic dim's expansion", `${MAX_TERMS} terms`);
    return Dim.build(this.terms.flatMap((x) => b.terms.map((y) => term(monoMul(x.mono, y.mono), x.coeff * y.coeff))));
  }
  private scale(c: bigint): Dim {
    if (c === 0n) return Dim.ZERO;
    const out = this.terms.map((t) => ({ ...t, coeff: t.coeff * c }));
    if (out.some((t) => t.coeff > MAX || t.coeff < -MAX)) throw new DimOverflowError(render(out));
    return new Dim(out);
  }
  pow(n: number): Dim {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`exponent ${n} is not a non-negative integer`);
    const c = this.constBig();
    // |c| >= 2 overflows past n = 53; report the exact value when it is printable.
    if (c !== undefined && (c > 1n || c < -1n) && n > 53) throw new DimOverflowError(n <= 4096 ? String(c ** BigInt(n)) : `${c}**${n}`);
    let result = Dim.ONE;
    let base: Dim = this;
    for (let k = n; k > 0; k = Math.floor(k / 2)) {
      if (k % 2 === 1) result = result.mul(base);
      if (k > 1) base = base.mul(base);
    }
    return result;
  }

  /** The quotient when it is provably exact, else undefined. */
  exactDiv(o: Dim | number): Dim | undefined {
    const d = toDim(o);
    const x = this.num, y = d.num;
    if (x !== undefined && y !== undefined && y !== 0) return x % y === 0 ? Dim.const(x / y) : undefined;
    if (d.isZero()) throw new DimDivisionByZeroError();
    const c = d.constBig();
    if (c !== undefined) {
      if (this.terms.some((t) => t.coeff % c !== 0n)) return undefined;
      // Exact division by a constant keeps every monomial, and their order.
      return new Dim(this.terms.map((t) => ({ ...t, coeff: t.coeff / c })));
    }
    const { q, r } = this.divMod(d);
    return r.isZero() ? q : undefined;
  }
  /** Multivariate division by d's leading term: this = d*q + r, q with integer coefficients. */
  private divMod(d: Dim): { q: Dim; r: Dim } {
    const lead = d.terms[0]!;
    const q: Term[] = [];
    const r: Term[] = [];
    let rem: Dim = this;
    for (let guard = 0; !rem.isZero(); guard++) {
      if (guard > 10_000) return { q: Dim.ZERO, r: this };
      const t = rem.terms[0]!;
      const m = monoDiv(t.mono, lead.mono);
      if (m !== undefined && t.coeff % lead.coeff === 0n) {
        const qt = term(m, t.coeff / lead.coeff);
        q.push(qt);
        rem = rem.sub(d.mul(Dim.build([qt])));
      } else {
        r.push(t);
        rem = new Dim(rem.terms.slice(1));
      }
    }
    return { q: Dim.build(q), r: Dim.build(r) };
  }
  /** Python-style floor division; `(4*B + 3)//2 = 2*B + 1`, `(B + 3)//2 = (B + 1)//2 + 1`. */
  floorDiv(o: Dim | number): Dim {
    const d = toDim(o);
    const exact = this.exactDiv(d);
    if (exact !== undefined) return exact;
    const c = d.constBig();
    if (c === undefined) {
      const { q, r } = this.divMod(d);
      return q.add(Dim.opaque("floordiv", r, d));
    }
    if (c < 0n) return this.neg().floorDiv(Dim.fromBig(-c));
    // Split into c*q + r with every coefficient of r in [0, c): a canonical remainder.
    const q = Dim.build(this.terms.map((t) => ({ ...t, coeff: floorDivBig(t.coeff, c) })));
    const r = this.sub(q.mul(d));
    if (r.isConst()) return q;
    const g = r.terms.reduce((acc, t) => gcd(acc, t.coeff), c);
    const rr = r.exactDiv(Dim.fromBig(g))!;
    const cc = c / g;
    // (x//a)//b = x//(a*b) for positive a, b.
    const only = rr.terms.length === 1 && rr.terms[0]!.coeff === 1n && rr.terms[0]!.mono.length === 1 ? rr.terms[0]!.mono[0]! : undefined;
    if (only?.exp === 1 && only.atom.kind === "floordiv" && only.atom.b.constBig() !== undefined && only.atom.b.constBig()! > 0n)
      return q.add(only.atom.a.floorDiv(only.atom.b.mul(Dim.fromBig(cc))));
    return q.add(Dim.opaque("floordiv", rr, Dim.fromBig(cc)));
  }
  /** Python-style modulo (the sign of the divisor); `(6*B) % 3 = 0`, `(2*B) % 4 = 2*(B % 2)`. */
  mod(o: Dim | number): Dim {
    const d = toDim(o);
    if (this.exactDiv(d) !== undefined) return Dim.ZERO;
    const c = d.constBig();
    if (c === undefined) return Dim.opaque("mod", this.divMod(d).r, d);
    if (c < 0n) return this.neg().mod(Dim.fromBig(-c)).neg();
    const r = Dim.build(this.terms.map((t) => ({ ...t, coeff: t.coeff - floorDivBig(t.coeff, c) * c })));
    if (r.isConst()) return r;
    const g = r.terms.reduce((acc, t) => gcd(acc, t.coeff), c);
    return Dim.opaque("mod", r.exactDiv(Dim.fromBig(g))!, Dim.fromBig(c / g)).mul(Dim.fromBig(g));
  }

  equals(o: Dim | number): boolean {
    const b = toDim(o);
    return this === b || this.key === b.key;
  }
  /** A total order consistent with equals. */
  compare(o: Dim): number {
    const n = Math.min(this.terms.length, o.terms.length);
    for (let i = 0; i < n; i++) {
      const x = this.terms[i]!, y = o.terms[i]!;
      const c = monoCmp(x.mono, y.mono);
      if (c !== 0) return c;
      if (x.coeff !== y.coeff) return x.coeff < y.coeff ? -1 : 1;
    }
    return this.terms.length - o.terms.length;
  }
  symbols(): string[] {
    if (this.terms.every((t) => t.mono.length === 0)) return [];
    const out = new Set<string>();
    const visit = (d: Dim): void => {
      for (const t of d.terms) for (const f of t.mono) {
        if (f.atom.kind === "sym") out.add(f.atom.name);
        else { visit(f.atom.a); visit(f.atom.b); }
      }
    };
    visit(this);
    return [...out].sort();
  }
  /** The symbol's name when this dim is exactly one symbol (`B`), the commonest pattern. */
  symbolName(): string | undefined {
    if (this.terms.length !== 1) return undefined;
    const t = this.terms[0]!;
    if (t.coeff !== 1n || t.mono.length !== 1) return undefined;
    const f = t.mono[0]!;
    return f.exp === 1 && f.atom.kind === "sym" ? f.atom.name : undefined;
  }
  substitute(bindings: ReadonlyMap<string, Dim>): Dim {
    if (this.isConst()) return this;
    const s = this.symbolName();
    if (s !== undefined) return bindings.get(s) ?? this;
    if (bindings.size === 0 || this.terms.every((t) => t.mono.every((f) => f.atom.kind === "sym" && !bindings.has(f.atom.name)))) return this;
    let acc = Dim.ZERO;
    for (const t of this.terms) {
      let m = Dim.fromBig(t.coeff);
      for (const f of t.mono) {
        const a = f.atom;
        const v = a.kind === "sym" ? (bindings.get(a.name) ?? Dim.sym(a.name))
          : a.kind === "floordiv" ? a.a.substitute(bindings).floorDiv(a.b.substitute(bindings))
          : a.a.substitute(bindings).mod(a.b.substitute(bindings));
        m = m.mul(v.pow(f.exp));
      }
      acc = acc.add(m);
    }
    return acc;
  }
  /** Every term is a constant or c*S for a symbol S. */
  isLinear(): boolean {
    return this.terms.every((t) => t.mono.length === 0 || (t.mono.length === 1 && t.mono[0]!.exp === 1 && t.mono[0]!.atom.kind === "sym"));
  }
  /** If this is `cof*S + rest` with S absent from cof and rest, returns cof and rest. */
  linearIn(s: string): { cof: Dim; rest: Dim } | undefined {
    const cof: Term[] = [], rest: Term[] = [];
    for (const t of this.terms) {
      const i = t.mono.findIndex((f) => f.atom.kind === "sym" && f.atom.name === s);
      if (i < 0) rest.push(t);
      else if (t.mono[i]!.exp === 1) cof.push(term(t.mono.filter((_, k) => k !== i), t.coeff));
      else return undefined;
    }
    const c = Dim.build(cof), r = Dim.build(rest);
    return c.symbols().includes(s) || r.symbols().includes(s) ? undefined : { cof: c, rest: r };
  }
  private text?: string;
  toString(): string { return (this.text ??= render(this.terms)); }
  /** As an op attribute in JSON (IR dumps, CSE keys): the canonical text, tagged so it never
   *  reads as a string attribute. */
  toJSON(): { dim: string } { return { dim: this.toString() }; }
  /** True when every term is negative: with symbols and opaque atoms non-negative, the dim is
   *  then below zero at every binding (`-T`, `-2*P - 1`), as a Python bound from the end is. */
  isNegative(): boolean { return this.terms.length > 0 && this.terms.every((t) => t.coeff < 0n); }
  /** Rebuilds the polynomial with caller-supplied operations, e.g. to compute a dim at
   *  run time from tensor shapes (the ONNX backend's symbolic reshape). */
  fold<R>(ops: DimFold<R>): R {
    const atom = (a: Atom): R =>
      a.kind === "sym" ? ops.sym(a.name) : a.kind === "floordiv" ? ops.floorDiv(a.a.fold(ops), a.b.fold(ops)) : ops.mod(a.a.fold(ops), a.b.fold(ops));
    const terms = this.terms.map((t) => {
      const fs = t.mono.flatMap((f) => Array.from({ length: f.exp }, () => atom(f.atom)));
      if (fs.length === 0) return ops.int(Number(t.coeff));
      const prod = fs.reduce((acc, f) => ops.mul(acc, f));
      return t.coeff === 1n ? prod : ops.mul(ops.int(Number(t.coeff)), prod);
    });
    return terms.length === 0 ? ops.int(0) : terms.reduce((acc, t) => ops.add(acc, t));
  }
}

export interface DimFold<R> {
  int(n: number): R;
  sym(name: string): R;
  add(a: R, b: R): R;
  mul(a: R, b: R): R;
  floorDiv(a: R, b: R): R;
  mod(a: R, b: R): R;
}

function toDim(o: Dim | number): Dim { return typeof o === "number" ? Dim.const(o) : o; }

function renderAtom(a: Atom): string {
  if (a.kind === "sym") return a.name;
  const ident = (s: string): boolean => /^[A-Za-z_]\w*$/.test(s);
  const num = (d: Dim): string => (ident(d.toString()) || (d.isConst() && d.constValue()! >= 0) ? d.toString() : `(${d.toString()})`);
  const den = (d: Dim): string => (ident(d.toString()) || (d.isConst() && d.constValue()! > 0) ? d.toString() : `(${d.toString()})`);
  return a.kind === "floordiv" ? `${num(a.a)}//${den(a.b)}` : `${num(a.a)} % ${den(a.b)}`;
}
/** Canonical and re-parseable mm: `B*T + 1`, `2*n`, `(B + 1)//2`, `-(n % 4)`. */
function render(terms: readonly Term[]): string {
  if (terms.length === 0) return "0";
  return terms.map((t, i) => {
    const neg = t.coeff < 0n;
    const abs = neg ? -t.coeff : t.coeff;
    // An opaque atom standing alone needs no parentheses, unless a leading minus would bind to it.
    const bare = abs === 1n && t.mono.length === 1 && !(neg && i === 0);
    const fs = t.mono.map((f) => {
      const s = renderAtom(f.atom);
      const base = f.atom.kind === "sym" || (bare && f.exp === 1) ? s : `(${s})`;
      return f.exp === 1 ? base : `${base}**${f.exp}`;
    });
    const body = t.mono.length === 0 ? String(abs) : (abs === 1n ? "" : `${abs}*`) + fs.join("*");
    return i === 0 ? (neg ? "-" : "") + body : (neg ? " - " : " + ") + body;
  }).join("");
}

/** Numpy broadcasting, symbolic: equal dims or a constant 1; ia/ib index the clashing dims. */
export function broadcastShapes(a: Shape, b: Shape): { ok: true; shape: Shape } | { ok: false; ia: number; ib: number } {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let k = n; k >= 1; k--) {
    const ia = a.length - k, ib = b.length - k;
    const x = a[ia], y = b[ib];
    if (x === undefined) out.push(y!);
    else if (y === undefined || x.equals(y) || y.equals(1)) out.push(x);
    else if (x.equals(1)) out.push(y);
    else return { ok: false, ia, ib };
  }
  return { ok: true, shape: out };
}

export function numel(shape: Shape): Dim {
  return shape.reduce<Dim>((acc, d) => acc.mul(d), Dim.ONE);
}
