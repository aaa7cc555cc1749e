// WGSL text helpers shared by the kernel generators: literals, index arithmetic
// specialised to constant shapes, binding declarations, and the 1-D launch grid.
import type { GpuDType } from "../../../../runtime/plan.js";

/** Threads per workgroup for element-parallel kernels. */
export const WG = 256;
/** WebGPU's default maxComputeWorkgroupsPerDimension. */
export const MAX_GROUPS = 65535;

/** A WGSL literal of a type. WGSL rejects non-finite constants, so ±inf become ±FLT_MAX
 *  (exp() of them is still 0 or inf, and a max over them still picks the finite values). */
export function literal(x: number | boolean, t: GpuDType): string {
  if (typeof x === "boolean") x = x ? 1 : 0;
  if (t === "u32") return `${x !== 0 ? 1 : 0}u`;
  if (t === "i32") {
    const v = Math.trunc(x);
    if (v < -2147483648 || v > 2147483647) return v < 0 ? "i32(-2147483647 - 1)" : "2147483647i";
    return v < 0 ? `(${v}i)` : `${v}i`;
  }
  if (Number.isNaN(x)) throw new Error("a NaN constant has no WGSL literal");
  const f = Math.fround(x);
  if (!Number.isFinite(f)) return f > 0 ? "3.4028234663852886e38f" : "(-3.4028234663852886e38f)";
  const s = f.toString();
  const body = /[.eE]/.test(s) ? s : `${s}.0`;
  return f < 0 ? `(${body}f)` : `${body}f`;
}

/** The lowest finite f32: masked attention scores take it, as the ONNX lowering does. */
export const F32_LOWEST = -3.4028234663852886e38;

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** The row-major flat index of coords (i32 expressions) in a shape; unit dims are skipped. */
export function flatIndex(coords: readonly string[], shape: readonly number[]): string {
  const st = stridesOf(shape);
  const terms: string[] = [];
  shape.forEach((d, k) => {
    if (d === 1 || coords[k] === "0") return;
    terms.push(st[k] === 1 ? coords[k]! : `${paren(coords[k]!)} * ${st[k]}`);
  });
  return terms.length ? terms.join(" + ") : "0";
}

/** Lines that split a flat index variable into coordinate variables `${prefix}k`. */
export function unflatten(index: string, shape: readonly number[], prefix: string): { lines: string[]; coords: string[] } {
  const st = stridesOf(shape);
  const lines: string[] = [];
  const coords = shape.map((d, k) => {
    if (d === 1) return "0";
    const name = `${prefix}${k}`;
    const q = st[k] === 1 ? index : `${paren(index)} / ${st[k]}`;
    lines.push(`let ${name} = ${k === 0 ? q : `(${q}) % ${d}`};`);
    return name;
  });
  return { lines, coords };
}

export function paren(e: string): string {
  return /^[\w.]+$/.test(e) ? e : `(${e})`;
}

export interface BindingDecl {
  readonly name: string;
  readonly type: GpuDType;
  readonly access: "read" | "read_write";
}

export function declareBindings(bs: readonly BindingDecl[]): string {
  return bs.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`).join("\n");
}

/** A 1-D launch over n threads: the workgroup grid (2-D past 65535 groups) and the WGSL
 *  prologue computing `i` (i32) with an early return past n. */
export function grid1d(n: number, wg = WG): { workgroups: [number, number, number]; prologue: string[] } {
  const groups = Math.max(1, Math.ceil(n / wg));
  const x = Math.min(groups, MAX_GROUPS);
  const y = Math.ceil(groups / x);
  if (y > MAX_GROUPS) throw new Error(`a launch of ${n} threads exceeds the workgroup grid`);
  return {
    workgroups: [x, y, 1],
    prologue: [`let i = i32((wid.y * ${x}u + wid.x) * ${wg}u + lid);`, `if (i >= ${n}) { return; }`],
  };
}

/** The entry point header of a 1-D kernel (grid1d's builtins). */
export function entry1d(wg = WG): string {
  return `@compute @workgroup_size(${wg})\nfn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {`;
}

/** Converts an expression between GPU types (bool is u32 0/1). */
export function convert(e: string, from: GpuDType, to: GpuDType, toBool = false): string {
  if (toBool) return from === "u32" ? `select(0u, 1u, ${e} != 0u)` : from === "i32" ? `select(0u, 1u, ${e} != 0i)` : `select(0u, 1u, ${e} != 0.0f)`;
  if (from === to) return e;
  return `${to}(${e})`;
}

/** A tree reduction of each invocation's `v` through workgroup array `buf` (of `size`
 *  entries, one per invocation, indexed by `lid`); afterwards every invocation's `v` holds
 *  the total. `buf` may be reused once all have read it (a barrier). */
export function workgroupTree(v: string, combine: (a: string, b: string) => string, size: number, buf = "red"): string[] {
  return [
    `${buf}[lid] = ${v};`,
    "workgroupBarrier();",
    `for (var w = ${size / 2}u; w > 0u; w = w / 2u) {`,
    `  if (lid < w) { ${buf}[lid] = ${combine(`${buf}[lid]`, `${buf}[lid + w]`)}; }`,
    "  workgroupBarrier();",
    "}",
    `${v} = ${buf}[0];`,
  ];
}
