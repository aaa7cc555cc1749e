// The tiled GEMM template shared by matmul, linear and convolution (implicit GEMM): each
// workgroup computes a BM×BN tile of C = A·B from BK-deep slices of A and B staged in
// workgroup memory; each thread keeps TM×TN accumulators in registers. Callers say how to
// read A[row, k] and B[k, col] (a convolution gathers B from the input image on the fly)
// and how to store a finished element (bias and fused epilogue included).
import type { BindingDecl } from "./wgsl.js";
import { declareBindings } from "./wgsl.js";

export const TM = 4, TN = 4;

export interface GemmTemplate {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Independent products (batch or convolution group × image), on the z grid axis. */
  readonly batches: number;
  readonly decls: readonly BindingDecl[];
  /** WGSL defining per-batch values from `z` (i32). */
  readonly prelude: readonly string[];
  /** Lines that set `a` = A[gr, gk] (both in range). */
  readonly loadA: readonly string[];
  /** Lines that set `b` = B[gk, gc] (both in range). */
  readonly loadB: readonly string[];
  /** B tiles are read with k fastest (B stored [N, K]) rather than columns fastest. */
  readonly bKFastest: boolean;
  /** Lines storing element (r, c) whose value is `acc_v` (a var). */
  readonly store: readonly string[];
  readonly helpers?: string;
}

function tileFor(m: number, n: number): { bm: number; bn: number; bk: number } {
  // Small problems waste less on 32×32 tiles; large ones reuse more from 64×64.
  return m >= 64 && n >= 64 ? { bm: 64, bn: 64, bk: 16 } : { bm: 32, bn: 32, bk: 16 };
}

export function tiledGemm(t: GemmTemplate): { wgsl: string; workgroupSize: [number, number, number]; workgroups: [number, number, number]; tile: string } {
  const { bm, bn, bk } = tileFor(t.m, t.n);
  const tx = bn / TN, ty = bm / TM, nt = tx * ty;
  if (t.batches > 65535) throw new Error(`${t.batches} batched products exceed one dispatch`);
  const bLoop = t.bKFastest ? ["let c = l / BK; let kk = l % BK;"] : ["let kk = l / BN; let c = l % BN;"];
  const wgsl = `${declareBindings(t.decls)}
${t.helpers ?? ""}
const BM = ${bm};
const BN = ${bn};
const BK = ${bk};
var<workgroup> As: array<f32, ${bk * bm}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;

@compute @workgroup_size(${tx}, ${ty}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let z = i32(wid.z);
  let row0 = i32(wid.y) * BM;
  let col0 = i32(wid.x) * BN;
  let tx = i32(lid.x);
  let ty = i32(lid.y);
  ${t.prelude.join("\n  ")}
  var acc: array<f32, ${TM * TN}>;
  for (var k0 = 0; k0 < ${t.k}; k0 += BK) {
    for (var l = i32(li); l < BM * BK; l += ${nt}) {
      let r = l / BK; let kk = l % BK;
      let gr = row0 + r; let gk = k0 + kk;
      var a = 0.0f;
      if (gr < ${t.m} && gk < ${t.k}) {
        ${t.loadA.join("\n        ")}
      }
      As[kk * BM + r] = a;
    }
    for (var l = i32(li); l < BN * BK; l += ${nt}) {
      ${bLoop.join("")}
      let gc = col0 + c; let gk = k0 + kk;
      var b = 0.0f;
      if (gc < ${t.n} && gk < ${t.k}) {
        ${t.loadB.join("\n        ")}
      }
      Bs[kk * BN + c] = b;
    }
    workgroupBarrier();
    for (var kk = 0; kk < BK; kk++) {
      var av: array<f32, ${TM}>;
      var bv: array<f32, ${TN}>;
      for (var i = 0; i < ${TM}; i++) { av[i] = As[kk * BM + ty * ${TM} + i]; }
      for (var j = 0; j < ${TN}; j++) { bv[j] = Bs[kk * BN + tx * ${TN} + j]; }
      for (var i = 0; i < ${TM}; i++) {
        for (var j = 0; j < ${TN}; j++) { acc[i * ${TN} + j] = fma(av[i], bv[j], acc[i * ${TN} + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0; i < ${TM}; i++) {
    let r = row0 + ty * ${TM} + i;
    if (r >= ${t.m}) { break; }
    for (var j = 0; j < ${TN}; j++) {
      let c = col0 + tx * ${TN} + j;
      if (c >= ${t.n}) { break; }
      var acc_v = acc[i * ${TN} + j];
      ${t.store.join("\n      ")}
    }
  }
}
`;
  return { wgsl, workgroupSize: [tx, ty, 1], workgroups: [Math.ceil(t.n / bn), Math.ceil(t.m / bm), t.batches], tile: `${bm}x${bn}` };
}
