// One binding per tensor in a dispatch. Kernel generators bind each operand separately,
// but an operand may repeat (vec @ vec, attention(q, x, x), an epilogue reading the
// matmul's own input). Arena bindings are all writable (build.ts), and WebGPU rejects two
// writable bindings over overlapping ranges, so repeats are merged: the later
// declaration is dropped and its loads read the first binding's variable.
import type { Kernel, KernelBinding } from "./kernel.js";

const DECL = /@group\(0\) @binding\((\d+)\) var<storage, (read|read_write)> (\w+): array<(\w+)>;/g;

/** `key`: what makes two bindings the same (the tensor; the plan builder passes the
 *  storage, so two views of one tensor also share a binding). */
export function dedupeBindings(k: Kernel, key: (tensor: number) => number = (t) => t): Kernel {
  const first = new Map<number, number>();
  const keep: number[] = [];
  const target = k.bindings.map((b, i) => {
    const f = first.get(key(b.tensor));
    if (f !== undefined) return f;
    first.set(key(b.tensor), i);
    keep.push(i);
    return i;
  });
  if (keep.length === k.bindings.length) return k;
  const names = new Map<number, string>();
  for (const m of k.wgsl.matchAll(DECL)) names.set(Number(m[1]), m[3]!);
  const access = (i: number): KernelBinding["access"] =>
    k.bindings.some((b, j) => target[j] === i && b.access === "read_write") ? "read_write" : "read";
  let wgsl = k.wgsl.replace(DECL, (_all, idx: string, _acc: string, name: string, type: string) => {
    const i = Number(idx);
    if (target[i] !== i) return "";
    return `@group(0) @binding(${keep.indexOf(i)}) var<storage, ${access(i)}> ${name}: array<${type}>;`;
  });
  k.bindings.forEach((_, i) => {
    if (target[i] === i) return;
    const from = names.get(i), to = names.get(target[i]!);
    if (from === undefined || to === undefined) throw new Error(`${k.name}: binding ${i} has no declaration`);
    wgsl = wgsl.replace(new RegExp(`\\b${from}\\[`, "g"), `${to}[`);
  });
  return { ...k, wgsl, bindings: keep.map((i) => ({ tensor: k.bindings[i]!.tensor, access: access(i) })) };
}
