// Join, cut and pick along an axis (compiler/ops/slicing.ts).
import { Dim } from "../../../check/dims.js";
import { LoweringError, type V } from "../context.js";
import { attrNum, attrNums, cast, input, like, type Emit, type Lowering, type LowerNode } from "./build.js";

const BIG = Number.MAX_SAFE_INTEGER; // "to the end": ONNX clamps ends to the dim

/** Slice bounds. With a symbolic axis length the op records constant bounds only (a
 *  symbolic bound is null, like an absent one); a stop that must have been symbolic is
 *  recovered from the output length when the step is 1 (stop = start + len). */
function sliceBounds(e: Emit, n: LowerNode, x: V): { starts: V; ends: V } {
  const axis = attrNum(n, "axis"), step = attrNum(n, "step");
  const len = n.outputs[0]!.shape[axis]!, dim = x.type.shape[axis]!;
  const start = typeof n.attrs.start === "number" ? n.attrs.start : null;
  const stop = typeof n.attrs.stop === "number" ? n.attrs.stop : null;
  const s = start === null ? Dim.ZERO : start < 0 ? dim.add(start) : Dim.const(start);
  const e0 = stop === null ? dim : stop < 0 ? dim.add(stop) : Dim.const(stop);
  const predicted = e0.sub(s).add(step - 1).floorDiv(step);
  if (predicted.equals(len) || dim.isConst()) return { starts: e.ctx.ints([start ?? 0]), ends: e.ctx.ints([stop ?? BIG]) };
  if (step === 1) return { starts: e.ctx.ints([start ?? 0]), ends: e.dims.dim(s.add(len), [x]) };
  throw new LoweringError(`slice of a symbolic axis with a symbolic bound and step ${step}: the traced graph does not record the bound`);
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
  index: (e, n) => e.ctx.op("Gather", [input(n, 0), e.ctx.scalar(attrNum(n, "index"), "int64")], n.outputs[0]!, { axis: { i: attrNum(n, "axis") } }),
  pad: (e, n) => {
    const x = input(n, 0);
    return e.ctx.op("Pad", [x, e.ctx.ints(attrNums(n, "pads")), like(e, attrNum(n, "value"), x)], n.outputs[0]!, { mode: { s: "constant" } });
  },
};

