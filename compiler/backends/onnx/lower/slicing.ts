// Join, cut and pick along an axis (compiler/ops/slicing.ts).
import type { V } from "../context.js";
import { attrDim, attrNum, attrNums, cast, input, like, type Emit, type Lowering, type LowerNode } from "./build.js";

const BIG = Number.MAX_SAFE_INTEGER; // "to the end": ONNX clamps ends to the dim

/** Slice bounds as int64 [1] tensors. The op records them as written, with Python's meaning,
 *  which ONNX Slice shares (negative counts from the end, out of range clamps); a
 *  runtime-sized bound is a Dim, computed here from the graph's input shapes (OpAttrs). */
function sliceBounds(e: Emit, n: LowerNode, x: V): { starts: V; ends: V } {
  const bound = (name: string, absent: number): V =>
    n.attrs[name] === null || n.attrs[name] === undefined ? e.ctx.ints([absent]) : e.dims.dim(attrDim(n, name), [x]);
  return { starts: bound("start", 0), ends: bound("stop", BIG) };
}

export const SLICING_LOWERINGS: Readonly<Record<string, Lowering>> = {
  concat: (e, n) => e.ctx.op("Concat", n.inputs.map((_, i) => input(n, i)), n.outputs[0]!, { axis: { i: attrNum(n, "axis") } }),
  split: (e, n) => {
    const x = input(n, 0), axis = attrNum(n, "axis");
    const sizes = e.dims.shape(n.outputs.map((o) => o.shape[axis]!), [x]);
    return e.ctx.opN("Split", [x, sizes], n.outputs, { axis: { i: axis } });
  },
  slice: (e, n) => {
    const x = input(n, 0);
    const { starts, ends } = sliceBounds(e, n, x);
    return e.ctx.op("Slice", [x, starts, ends, e.ctx.ints([attrNum(n, "axis")]), e.ctx.ints([attrNum(n, "step")])], n.outputs[0]!);
  },
  gather: (e, n) => {
    const idx = input(n, 1);
    const ids = idx.type.dtype === "int32" || idx.type.dtype === "int64" ? idx : cast(e, idx, "int64");
    return e.ctx.op("Gather", [input(n, 0), ids], n.outputs[0]!, { axis: { i: attrNum(n, "axis") } });
  },
  index: (e, n) => {
    const x = input(n, 0);
    return e.ctx.op("Gather", [x, e.dims.scalar(attrDim(n, "index"), [x])], n.outputs[0]!, { axis: { i: attrNum(n, "axis") } });
  },
  pad: (e, n) => {
    const x = input(n, 0);
    return e.ctx.op("Pad", [x, e.ctx.ints(attrNums(n, "pads")), like(e, attrNum(n, "value"), x)], n.outputs[0]!, { mode: { s: "constant" } });
  },
};

