// Layout, indexing and creation ops as map ops: each computes, from an output
// coordinate, where in its input the value comes from (or what the value is).
import type { MapEmitter, MapOp, MapOps } from "./map.js";
import { flatIndex, literal, paren, unflatten } from "./wgsl.js";

/** Output coords → input coords through the flat index (reshape, flatten). */
function viaFlat(e: MapEmitter): string[] {
  const x = e.inputTensor(0)!;
  const flat = e.fresh("f");
  e.line(`let ${flat} = ${flatIndex(e.coords, e.out.shape)};`);
  const u = unflatten(flat, x.shape, e.fresh("r"));
  for (const l of u.lines) e.line(l);
  return u.coords;
}

const reshapeLike: MapOp = { emit: (e) => e.input(0, viaFlat(e)) };

function attrList(e: MapEmitter, name: string): number[] | undefined {
  const v = e.node.attrs[name];
  return Array.isArray(v) ? v.map(Number) : undefined;
}

/** Python's slice(start, stop, step).indices(n), start only. */
function sliceStart(start: number | null, step: number, n: number): number {
  if (start === null) return step > 0 ? 0 : n - 1;
  let s = start < 0 ? start + n : start;
  if (step > 0) s = Math.min(Math.max(s, 0), n);
  else s = Math.min(Math.max(s, -1), n - 1);
  return s;
}

const permute: MapOp = {
  emit(e) {
    const r = e.coords.length;
    let perm = attrList(e, "perm");
    if (!perm) {
      const a = e.attrNum("a"), b = e.attrNum("b");
      perm = Array.from({ length: r }, (_, i) => (i === a ? b : i === b ? a : i));
    }
    const at = new Array<string>(r);
    perm.forEach((p, i) => (at[p] = e.coords[i]!));
    return e.input(0, at);
  },
};

/** Picks input 0 at coords where `axis` is replaced by an index read from input 1. */
function gatherAt(e: MapEmitter, axis: number, idxRank: number, n: number): string {
  const c = e.coords;
  let idx = e.input(1, c.slice(axis, axis + idxRank), "i32");
  const w = e.fresh("g");
  e.line(`let ${w} = select(${idx}, ${idx} + ${n}, ${idx} < 0);`);
  idx = w;
  return e.input(0, [...c.slice(0, axis), idx, ...c.slice(axis + idxRank)]);
}

export const LAYOUT_OPS: MapOps = {
  reshape: reshapeLike,
  flatten: reshapeLike,
  squeeze: { emit: (e) => e.input(0, [...e.coords.slice(0, e.attrNum("axis")), "0", ...e.coords.slice(e.attrNum("axis"))]) },
  unsqueeze: { emit: (e) => e.input(0, e.coords.filter((_, k) => k !== e.attrNum("axis"))) },
  permute,
  transpose: permute,
  expand: { emit: (e) => e.input(0, e.bcast(0)) },
  slice: {
    emit(e) {
      const axis = e.attrNum("axis"), step = e.attrNum("step");
      const n = e.inputTensor(0)!.shape[axis]!;
      const start = sliceStart(typeof e.node.attrs.start === "number" ? e.node.attrs.start : null, step, n);
      const at = [...e.coords];
      at[axis] = step === 1 && start === 0 ? at[axis]! : `${start} + ${paren(at[axis]!)} * ${step}`;
      return e.input(0, at);
    },
  },
  index: {
    emit(e) {
      const axis = e.attrNum("axis"), n = e.inputTensor(0)!.shape[axis]!;
      const raw = typeof e.node.attrs.index === "number" ? e.node.attrs.index : e.attrNum("i");
      const i = raw < 0 ? raw + n : raw;
      return e.input(0, [...e.coords.slice(0, axis), String(i), ...e.coords.slice(axis)]);
    },
  },
  split: {
    emit(e) {
      const axis = e.attrNum("axis");
      let off = 0;
      for (let k = 0; k < e.outIndex; k++) off += e.outputTensor(k).shape[axis]!;
      const at = [...e.coords];
      if (off) at[axis] = `${paren(at[axis]!)} + ${off}`;
      return e.input(0, at);
    },
  },
  concat: {
    emit(e) {
      const axis = e.attrNum("axis");
      const v = e.fresh("cat");
      e.line(`var ${v}: ${e.outType};`);
      let off = 0;
      const n = e.node.inputs.length;
      for (let k = 0; k < n; k++) {
        const len = e.inputTensor(k)!.shape[axis]!;
        const at = [...e.coords];
        at[axis] = off ? `${paren(at[axis]!)} - ${off}` : at[axis]!;
        const b = e.block(() => e.input(k, at, e.outType));
        const head = k === 0 ? `if (${e.coords[axis]} < ${off + len}) {` : k === n - 1 ? "} else {" : `} else if (${e.coords[axis]} < ${off + len}) {`;
        e.line(head);
        for (const l of b.lines) e.line(`  ${l}`);
        e.line(`  ${v} = ${b.value};`);
        off += len;
      }
      e.line("}");
      return v;
    },
  },
  pad: {
    // pads are in ONNX order (the op's infer normalises them): all begins, then all ends.
    emit(e) {
      const pads = attrList(e, "pads")!;
      const x = e.inputTensor(0)!;
      const r = x.shape.length;
      const at = [...e.coords];
      const conds: string[] = [];
      for (let axis = 0; axis < r; axis++) {
        const left = pads[axis] ?? 0, right = pads[r + axis] ?? 0;
        if (!left && !right) continue;
        const c = left ? `${paren(e.coords[axis]!)} - ${left}` : e.coords[axis]!;
        const cv = e.fresh("p");
        e.line(`let ${cv} = ${c};`);
        at[axis] = `clamp(${cv}, 0, ${x.shape[axis]! - 1})`;
        conds.push(`${cv} >= 0 && ${cv} < ${x.shape[axis]}`);
      }
      const v = e.input(0, at);
      return conds.length ? `select(${literal(e.attrNum("value"), e.outType)}, ${v}, ${conds.join(" && ")})` : v;
    },
  },
  gather: {
    inlinesInputs: true,
    emit(e) {
      const axis = e.attrNum("axis");
      return gatherAt(e, axis, e.inputTensor(1)!.shape.length, e.inputTensor(0)!.shape[axis]!);
    },
  },
  embedding: {
    emit(e) {
      const r = e.inputTensor(0)!.shape.length;
      const id = e.input(0, e.coords.slice(0, r), "i32");
      return e.input(1, [id, e.coords[r]!]);
    },
  },
  arange: { emit: (e) => `${e.outType}(${e.coords[0]})` },
  // A plan is specialised to its dims: the value is a literal.
  dim_value: { emit: (e) => literal(e.attrNum("n"), e.outType) },
  ones: { emit: (e) => literal(e.attrNum("value"), e.outType) },
  zeros: { emit: (e) => literal(e.attrNum("value"), e.outType) },
  causal_mask: { emit: (e) => `select(0u, 1u, ${e.coords[1]} <= ${e.coords[0]})` },
  tril: triangle("<="),
  triu: triangle(">="),
  one_hot: {
    emit(e) {
      const r = e.coords.length - 1;
      const id = e.input(0, e.coords.slice(0, r), "i32");
      return `select(${literal(0, e.outType)}, ${literal(1, e.outType)}, ${id} == ${e.coords[r]})`;
    },
  },
};

function triangle(cmp: "<=" | ">="): MapOp {
  return {
    elementwise: true,
    emit(e) {
      const r = e.coords.length, k = e.attrNum("k");
      const i = e.coords[r - 2]!, j = e.coords[r - 1]!;
      return `select(${literal(0, e.outType)}, ${e.input(0, e.coords)}, ${j} ${cmp} ${i} + ${k})`;
    },
  };
}
