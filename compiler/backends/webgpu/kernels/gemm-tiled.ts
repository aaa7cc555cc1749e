// The shared-memory variant of the GEMM template (`--gemm tiled`): each workgroup stages
// BK-deep slices of an BM×BN tile's A rows and B columns in workgroup memory, then every
// thread accumulates its TM×TN block from there. The classic GPU kernel: on a real GPU
// the tile reuse saves global-memory traffic. On SwiftShader (this project's CI device)
// each barrier suspends and resumes the whole group, so the register variant (gemm.ts) is
// the default there; see docs/webgpu.md for both measured.
import { declareBindings } from "./wgsl.js";
import type { GemmKernel, GemmTemplate } from "./gemm.js";
import { TM, TN } from "./gemm.js";

function tileFor(m: number, n: number): { bm: number; bn: number; bk: number } {
  // Small problems waste less on 32×32 tiles; large ones reuse more from 64×64.
  return m >= 64 && n >= 64 ? { bm: 64, bn: 64, bk: 16 } : { bm: 32, bn: 32, bk: 16 };
}

export function sharedTiledGemm(t: GemmTemplate): GemmKernel {
  const { bm, bn, bk } = tileFor(t.m, t.n);
  const tx = bn / TN, ty = bm / TM, nt = tx * ty;
  const wgsl = `${declareBindings(t.decls)}
${t.helpers ?? ""}
var<workgroup> As: array<f32, ${bk * bm}>;
var<workgroup> Bs: array<f32, ${bk * bn}>;

@compute @workgroup_size(${tx}, ${ty}, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let z = i32(wid.z);
  let row0 = i32(wid.y) * ${bm};
  let colBase = i32(wid.x) * ${bn};
  let tx = i32(lid.x);
  let ty = i32(lid.y);
  ${t.prelude.join("\n  ")}
  var acc: array<f32, ${TM * TN}>;
  for (var k0 = 0; k0 < ${t.k}; k0 += ${bk}) {
    for (var l = i32(li); l < ${bm * bk}; l += ${nt}) {
      let row = min(row0 + l / ${bk}, ${t.m - 1});
      let k = min(k0 + l % ${bk}, ${t.k - 1});
      As[(l % ${bk}) * ${bm} + l / ${bk}] = select(0.0f, ${t.loadA("row")}, k0 + l % ${bk} < ${t.k});
    }
    for (var l = i32(li); l < ${bn * bk}; l += ${nt}) {
      let col0 = min(colBase + l % ${bn}, ${t.n - 1});
      let k = min(k0 + l / ${bn}, ${t.k - 1});
      ${[...(t.colSetup?.(0) ?? []), "var b0 = 0.0f;", ...t.loadB(0)].join("\n      ")}
      Bs[(l / ${bn}) * ${bn} + l % ${bn}] = select(0.0f, b0, k0 + l / ${bn} < ${t.k});
    }
    workgroupBarrier();
    for (var kk = 0; kk < ${bk}; kk++) {
      var av: array<f32, ${TM}>;
      var bv: array<f32, ${TN}>;
      for (var i = 0; i < ${TM}; i++) { av[i] = As[kk * ${bm} + ty * ${TM} + i]; }
      for (var j = 0; j < ${TN}; j++) { bv[j] = Bs[kk * ${bn} + tx * ${TN} + j]; }
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
      let c = colBase + tx * ${TN} + j;
      if (c >= ${t.n}) { break; }
      var acc_v = acc[i * ${TN} + j];
      ${t.store.join("\n      ")}
    }
  }
}
`;
  return { wgsl, workgroupSize: [tx, ty, 1], workgroups: [Math.ceil(t.n / bn), Math.ceil(t.m / bm), t.batches], tile: `smem${bm}x${bn}` };
}
