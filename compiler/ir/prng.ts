// The random streams behind `--weights random` and random inputs: mulberry32 (a 32-bit
// counter hashed to 32 bits: the state only ever adds 0x6d2b79f5) and Box-Muller normals
// drawn from it in pairs (cos first, then sin). These values are a contract: a seed gives
// the same bytes from every build (scripts/compare-builds.mjs holds new code to it), so the
// bulk loops below compute exactly what one `next()` at a time computes, only faster:
//
// - the state stays in a local across the loop, and the hash is inlined;
// - `/ 2^32` is `* 2^-32`, the same double (a power of two, exactly);
// - uniform fills have one loop per element type, so each stays monomorphic (a loop that
//   sees both Float32Array and Float64Array runs at a fraction of the speed);
// - normals keep the unused half of a pair across calls (`spare`), as the one-at-a-time
//   generator did, so chunk boundaries do not change the stream.
export type Values = Float32Array | Float64Array;

const STEP = 0x6d2b79f5;
const INV_2_32 = 2.3283064365386963e-10; // 2^-32

/** mulberry32: a tiny 32-bit PRNG with good enough statistics for weight init. */
export function mulberry32(seed: number): () => number {
  const m = new Mulberry32(seed);
  return () => m.next();
}

export class Mulberry32 {
  a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + STEP) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) * INV_2_32;
  }
  /** out[i] = lo + (hi - lo) * next() for i < count. */
  uniform(out: Values, count: number, lo: number, hi: number): void {
    if (out instanceof Float32Array) this.uniform32(out, count, lo, hi);
    else this.uniform64(out, count, lo, hi);
  }
  // Two copies of one loop, on purpose: one per element type keeps each monomorphic, and
  // the hash is written out, not called (with a helper, V8 sometimes boxed the state and
  // the loop ran at a third of the speed, as it does when the state is loaded from the
  // field without `>>> 0`).
  private uniform32(out: Float32Array, count: number, lo: number, hi: number): void {
    const w = hi - lo;
    let a = this.a >>> 0;
    for (let i = 0; i < count; i++) {
      a = (a + STEP) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = lo + w * (((t ^ (t >>> 14)) >>> 0) * INV_2_32);
    }
    this.a = a;
  }
  private uniform64(out: Float64Array, count: number, lo: number, hi: number): void {
    const w = hi - lo;
    let a = this.a >>> 0;
    for (let i = 0; i < count; i++) {
      a = (a + STEP) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = lo + w * (((t ^ (t >>> 14)) >>> 0) * INV_2_32);
    }
    this.a = a;
  }
}

/** Standard normals from a Mulberry32 stream, Box-Muller: u = 1 - next(), v = next(),
 *  r = sqrt(-2 ln u), then r cos(2 pi v) and r sin(2 pi v), in that order. */
export class Gauss {
  private spare: number | undefined;
  constructor(private readonly m: Mulberry32) {}
  next(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u = 1 - this.m.next(), v = this.m.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** out[i] = mean + std * next() for i < count, a pair per step. */
  fill(out: Values, count: number, mean: number, std: number): void {
    let i = 0;
    if (count > 0 && this.spare !== undefined) {
      out[i++] = mean + std * this.spare;
      this.spare = undefined;
    }
    const m = this.m;
    let a = m.a >>> 0;
    while (i < count) {
      a = (a + STEP) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const u = 1 - ((t ^ (t >>> 14)) >>> 0) * INV_2_32;
      a = (a + STEP) >>> 0;
      t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const v = ((t ^ (t >>> 14)) >>> 0) * INV_2_32;
      const r = Math.sqrt(-2 * Math.log(u));
      const s = r * Math.sin(2 * Math.PI * v);
      out[i++] = mean + std * (r * Math.cos(2 * Math.PI * v));
      if (i < count) out[i++] = mean + std * s;
      else this.spare = s;
    }
    m.a = a;
  }
}

/** FNV-1a of the path, mixed with the seed. */
export function streamSeed(seed: number, path: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0;
  return Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
}
