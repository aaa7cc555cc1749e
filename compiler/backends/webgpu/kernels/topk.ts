// topk along one axis: one workgroup per row, k rounds of a parallel arg-max. Entries are
// totally ordered by (value descending, position ascending), onnxruntime's order for ties;
// round r picks the best entry strictly after round r-1's pick in that order, so no
// "already taken" set is needed. O(k·n / 64) per thread: fine for top-k sampling over a
// vocabulary (small k) and for sorting short rows (k = n).
import { gpuType } from "../graph.js";
import { attrNum, type KernelGen } from "./kernel.js";
import { declareBindings, literal, MAX_GROUPS } from "./wgsl.js";

const R = 64;

export const topkGen: KernelGen = (node, ctx) => {
  const x = ctx.tensor(node.inputs[0]!);
  const values = ctx.tensor(node.outputs[0]!), indices = ctx.tensor(node.outputs[1]!);
  const rank = x.shape.length;
  const a = attrNum(node, "axis");
  const axis = a < 0 ? a + rank : a;
  const n = x.shape[axis]!, k = values.shape[axis]!;
  const inner = x.shape.slice(axis + 1).reduce((p, q) => p * q, 1);
  const rows = x.shape.reduce((p, q) => p * q, 1) / Math.max(1, n);
  const t = gpuType(x.dtype);
  const gx = Math.max(1, Math.min(rows, MAX_GROUPS)), gy = Math.ceil(rows / gx);
  const lowest = literal(-Infinity, t);
  const wgsl = `${declareBindings([
    { name: "V", type: gpuType(values.dtype), access: "read_write" },
    { name: "I", type: "i32", access: "read_write" },
    { name: "X", type: t, access: "read" },
  ])}
var<workgroup> red: array<${t}, ${R}>;
var<workgroup> redi: array<i32, ${R}>;

@compute @workgroup_size(${R})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = i32(wid.y * ${gx}u + wid.x);
  if (row >= ${rows}) { return; }
  let xb = (row / ${inner}) * ${n * inner} + row % ${inner};
  let ob = (row / ${inner}) * ${k * inner} + row % ${inner};
  var pv = ${lowest};
  var pi = -1;
  for (var r = 0; r < ${k}; r++) {
    var bv = ${lowest};
    var bi = -1;
    for (var j = i32(lid); j < ${n}; j += ${R}) {
      let v = X[xb + j * ${inner}];
      let after = pi < 0 || v < pv || (v == pv && j > pi);
      if (after && (bi < 0 || v > bv || (v == bv && j < bi))) { bv = v; bi = j; }
    }
    red[lid] = bv;
    redi[lid] = bi;
    workgroupBarrier();
    for (var w = ${R / 2}u; w > 0u; w = w / 2u) {
      if (lid < w) {
        let v = red[lid + w];
        let vi = redi[lid + w];
        if (vi >= 0 && (redi[lid] < 0 || v > red[lid] || (v == red[lid] && vi < redi[lid]))) { red[lid] = v; redi[lid] = vi; }
      }
      workgroupBarrier();
    }
    pv = red[0];
    pi = redi[0];
    workgroupBarrier();
    if (lid == 0u) {
      V[ob + r * ${inner}] = pv;
      I[ob + r * ${inner}] = pi;
    }
  }
}
`;
  return [{
    name: "topk", wgsl, workgroupSize: [R, 1, 1], workgroups: [gx, gy, 1], label: node.label,
    bindings: [{ tensor: values.id, access: "read_write" }, { tensor: indices.id, access: "read_write" }, { tensor: x.id, access: "read" }],
  }];
};
