// A repeat stack of identical layers, folded. `repeat n Block(args)` without an index gives n
// layers that are copies of one template (memo.ts), so the stack keeps the count and makes
// layer k only when it is read. Counting needs no layer at all: a stack's unrolled size is n
// times its layer's, which is how `mm params` answers for a 1e9-layer stack at once and how
// the instance budget (base/limits.ts) is checked before anything is unrolled.
import { constElements } from "../base/limits.js";
import type { Instance } from "./instance.js";

/** The children of a folded stack, `0` ... `n-1`, made on first read and then kept (a
 *  layer's identity matters to the caches keyed by instance). */
export class RepeatChildren implements ReadonlyMap<string, Instance> {
  readonly #made = new Map<number, Instance>();
  constructor(readonly size: number, private readonly make: (i: number) => Instance) {}

  /** Layer `i`. */
  at(i: number): Instance {
    let c = this.#made.get(i);
    if (!c) this.#made.set(i, (c = this.make(i)));
    return c;
  }

  private index(key: string): number | undefined {
    if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
    const i = Number(key);
    return i < this.size ? i : undefined;
  }

  get(key: string): Instance | undefined {
    const i = this.index(key);
    return i === undefined ? undefined : this.at(i);
  }
  has(key: string): boolean {
    return this.index(key) !== undefined;
  }
  *entries(): MapIterator<[string, Instance]> {
    for (let i = 0; i < this.size; i++) yield [String(i), this.at(i)];
  }
  *keys(): MapIterator<string> {
    for (let i = 0; i < this.size; i++) yield String(i);
  }
  *values(): MapIterator<Instance> {
    for (let i = 0; i < this.size; i++) yield this.at(i);
  }
  [Symbol.iterator](): MapIterator<[string, Instance]> {
    return this.entries();
  }
  forEach(f: (value: Instance, key: string, map: ReadonlyMap<string, Instance>) => void): void {
    for (let i = 0; i < this.size; i++) f(this.at(i), String(i), this);
  }
}

/** A folded stack's count and first layer, or undefined for any other instance. */
export function foldedStack(inst: Instance): { readonly count: number; readonly layer: Instance } | undefined {
  const c = inst.children;
  return c instanceof RepeatChildren ? { count: c.size, layer: c.at(0) } : undefined;
}

/** Instances in a subtree with every repeat unrolled, computed folded: once per template,
 *  a folded stack as n times its layer. Recursion follows instance nesting, which the
 *  elaborator bounds (MAX_INSTANCE_DEPTH). */
const sizes = new WeakMap<Instance, number>();
export function unrolledSize(inst: Instance): number {
  const key = inst.template ?? inst;
  const hit = sizes.get(key);
  if (hit !== undefined) return hit;
  const f = foldedStack(inst);
  let n = 1;
  if (f) n += f.count * unrolledSize(f.layer);
  else for (const c of inst.children.values()) n += unrolledSize(c);
  sizes.set(key, n);
  return n;
}

/** Elements of every tensor in a subtree (parameters and buffers), counted folded like
 *  unrolledSize: what must stay an exact Number for `mm params` and a weight file. */
const elements = new WeakMap<Instance, number>();
export function unrolledElements(inst: Instance): number {
  const key = inst.template ?? inst;
  const hit = elements.get(key);
  if (hit !== undefined) return hit;
  let n = 0;
  for (const p of inst.params) n += constElements(p.shape) ?? 0;
  const f = foldedStack(inst);
  if (f) n += f.count * unrolledElements(f.layer);
  else for (const c of inst.children.values()) n += unrolledElements(c);
  elements.set(key, n);
  return n;
}
