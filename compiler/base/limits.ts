// Budgets. Every size a program can ask for is bounded, so a typo (`depth: 1_000_000_000`
// for `depth: 12`) or a hostile file gets a coded diagnostic naming the limit, not a hang or
// an out-of-memory kill. Each limit is far above what any published model needs (the
// stdlib's largest figure is given beside it) and can be raised: `--limit NAME=N` on the
// command line, `limits` in the API. Two bounds are fixed because they protect the
// compiler's own stack rather than its time: nesting in the parser (grammar/parse/base.ts,
// depth.ts) and of instantiations (MAX_INSTANCE_DEPTH).
//
// Counting is folded where it can be: a repeat stack of identical layers counts n times one
// layer's instances without unrolling (elaborate/stack.ts), so `mm params` of a
// 1e9-layer stack answers exactly while `mm check` of it reports MM7001.

import type { Dim } from "./dims.js";

export interface Limits {
  /** Instances in one model's tree with every repeat unrolled (MM7001). Stdlib max: 2,264. */
  readonly instances: number;
  /** Operations traced for one model, by a check or a compile (MM7002). Stdlib max: 7,600 nodes. */
  readonly ops: number;
  /** Items of one compile-time list or range, and iterations of one `for` (MM7003). */
  readonly items: number;
  /** Errors reported in one run; past it checking stops and says so (MM7004). */
  readonly errors: number;
  /** Source files one program loads, imports included (MM7005). Stdlib: 56. */
  readonly files: number;
  /** Bytes of one source file (MM7006). Largest stdlib file: 22 KB. */
  readonly fileBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  instances: 50_000,
  ops: 100_000,
  items: 100_000,
  errors: 50,
  files: 10_000,
  fileBytes: 8 * 1024 * 1024,
};

/** How deep instances may nest (a block whose forward calls a block whose...): the
 *  elaborator and the tracer recurse once per level. Stdlib max: 9. */
export const MAX_INSTANCE_DEPTH = 100;

/** Elements of one tensor (a parameter, buffer or, at fixed sizes, an activation): 2^50, so
 *  that its size in bytes (at most 8 a value) is an exact Number (MM3008). A model's
 *  parameters in all stay within 2^53 for the same reason. */
export const MAX_ELEMENTS = 2 ** 50;

/** Elements of a shape whose dims are all constant, as a Number (a product past 2^53 shows as
 *  a huge value, never wraps); undefined when a dim is symbolic. */
export function constElements(shape: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    const c = d.constValue();
    if (c === undefined) return undefined;
    n *= c;
  }
  return n;
}

export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as (keyof Limits)[];

/** The option that raises each limit, for hints. */
export function raiseHint(name: keyof Limits): string {
  return `if this is intended, raise the limit with \`--limit ${name}=N\` (default ${DEFAULT_LIMITS[name].toLocaleString("en-US")})`;
}

/** `NAME=N` settings over the defaults; an error message for a bad one. */
export function parseLimits(settings: readonly string[], base: Limits = DEFAULT_LIMITS): Limits | string {
  const out: Record<string, number> = { ...base };
  for (const s of settings) {
    const m = /^([a-zA-Z]+)=([0-9_]+)$/.exec(s);
    const name = m?.[1];
    if (!m || name === undefined || !(name in DEFAULT_LIMITS)) {
      return `--limit takes NAME=N with NAME one of ${LIMIT_NAMES.join(", ")}, not '${s}'`;
    }
    const n = Number(m[2]!.replace(/_/g, ""));
    if (!Number.isSafeInteger(n) || n < 1) return `--limit ${name} takes a positive integer, not '${m[2]}'`;
    out[name] = n;
  }
  return out as unknown as Limits;
}

/** The budgets of the compile in progress, for the few places deep in evaluation that
 *  allocate by a user's number (`range(n)`) and have no session at hand. Set by the
 *  session around each elaboration and check; compiles are synchronous, so it is never
 *  seen by another. */
let active: Limits = DEFAULT_LIMITS;

export function activeLimits(): Limits {
  return active;
}

export function withLimits<T>(limits: Limits, f: () => T): T {
  const prev = active;
  active = limits;
  try {
    return f();
  } finally {
    active = prev;
  }
}
