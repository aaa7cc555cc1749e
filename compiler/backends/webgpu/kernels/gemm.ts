// The GEMM template shared by matmul, linear and convolution (implicit GEMM). Each thread
// computes a TM×TN block of C = A·B in registers, reading A and B straight from memory:
// no workgroup tiles and no barriers. On SwiftShader (and CPU-like WebGPU devices) a
// barrier suspends and resumes every invocation of the group, which cost more than the
// tile reuse saved (a 64×64 shared-memory tiling ran bench/webgpu.ts 3x slower than this and
// took 5x longer to compile); the caches do the reuse instead. Rows and columns past the
// edge are clamped on load (in bounds, results dropped) so the k loop has no branches.
import type { BindingDecl } from "./wgsl.js";
import { declareBindings } from "./wgsl.js";
import { sharedTiledGemm } from "./gemm-tiled.js";

export const TM = 4, TN = 4;
const WX = 8, WY = 8;

export interface GemmTemplate {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Independent products (batch or convolution group), on the z grid axis. */
  readonly batches: number;
  readonly decls: readonly BindingDecl[];
  /** WGSL defining per-batch values from `z` (i32). */
  readonly prelude: readonly string[];
  /** An expression for A[row, k] given the row variable and `k`. */
  readonly loadA: (row: string) => string;
  /** Per column j (variable `col${j}`): lines run once before the k loop. */
  readonly colSetup?: (j: number) => readonly string[];
  /** Lines setting `b${j}` = B[k, col j] inside the k loop. */
  readonly loadB: (j: number) => readonly string[];
  /** Lines storing element (r, c) whose value is `acc_v` (a var). */
  readonly store: readonly string[];
  readonly helpers?: string;
}

export interface GemmKernel {
  readonly wgsl: string;
  readonly workgroupSize: [number, number, number];
  readonly workgroups: [number, number, number];
  readonly tile: string;
}

/** Which GEMM kernel products use: registers (default) or shared-memory tiles. */
export type GemmVariant = "registers" | "tiled";

export function gemm(t: GemmTemplate, variant: GemmVariant = "registers"): GemmKernel {
  if (t.batches > 65535) throw new Error(`${t.batches} batched products exceed one dispatch`);
  return variant === "tiled" ? sharedTiledGemm(t) : registerGemm(t);
}

function registerGemm(t: GemmTemplate): GemmKernel {
  const rows = Array.from({ length: TM }, (_, i) => i), cols = Array.from({ length: TN }, (_, j) => j);
  const wgsl = `${declareBindings(t.decls)}
${t.helpers ?? ""}
@compute @workgroup_size(${WX}, ${WY}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let z = i32(wid.z);
  let r0 = (i32(wid.y) * ${WY} + i32(lid.y)) * ${TM};
  let c0 = (i32(wid.x) * ${WX} + i32(lid.x)) * ${TN};
  if (r0 >= ${t.m} || c0 >= ${t.n}) { return; }
  ${t.prelude.join("\n  ")}
  ${rows.map((i) => `let row${i} = min(r0 + ${i}, ${t.m - 1});`).join("\n  ")}
  ${cols.map((j) => [`let col${j} = min(c0 + ${j}, ${t.n - 1});`, ...(t.colSetup?.(j) ?? [])].join("\n  ")).join("\n  ")}
  ${rows.map((i) => `var acc${i} = vec4<f32>(0.0f);`).join("\n  ")}
  for (var k = 0; k < ${t.k}; k++) {
    ${cols.flatMap((j) => [`var b${j} = 0.0f;`, ...t.loadB(j)]).join("\n    ")}
    let bv = vec4<f32>(${cols.map((j) => `b${j}`).join(", ")});
    ${rows.map((i) => `acc${i} = fma(vec4<f32>(${t.loadA(`row${i}`)}), bv, acc${i});`).join("\n    ")}
  }
  ${rows.map((i) => `let accs${i} = acc${i};`).join("\n  ")}
  for (var i = 0; i < ${TM}; i++) {
    let r = r0 + i;
    if (r >= ${t.m}) { break; }
    var accr: vec4<f32>;
    switch (i) {
      ${rows.map((i) => `case ${i}: { accr = accs${i}; }`).join("\n      ")}
      default: { accr = accs0; }
    }
    for (var j = 0; j < ${TN}; j++) {
      let c = c0 + j;
      if (c >= ${t.n}) { break; }
      var acc_v = accr[j];
      ${t.store.join("\n      ")}
    }
  }
}
`;
  return {
    wgsl, workgroupSize: [WX, WY, 1],
    workgroups: [Math.ceil(t.n / (WX * TN)), Math.ceil(t.m / (WY * TM)), t.batches], tile: `${TM}x${TN}`,
  };
}
