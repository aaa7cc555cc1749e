// cumsum as a map op: each output element sums the input along the axis up to its own
// position, in order (as onnxruntime's CumSum does, so float rounding matches). Integer
// and bool inputs accumulate in the int64 (i32 on the GPU) output type. Quadratic in the
// axis length, which is fine for the short axes models scan (positions, masks).
import type { MapOps } from "./map.js";
import { literal } from "./wgsl.js";

export const SCAN_OPS: MapOps = {
  cumsum: {
    inlinesInputs: false,
    emit(e) {
      const r = e.coords.length;
      const a = e.attrNum("axis");
      const axis = a < 0 ? a + r : a;
      const acc = e.fresh("cs"), j = e.fresh("j");
      e.line(`var ${acc} = ${literal(0, e.outType)};`);
      e.line(`for (var ${j} = 0; ${j} <= ${e.coords[axis]}; ${j}++) {`);
      const at = [...e.coords];
      at[axis] = j;
      e.line(`${acc} += ${e.input(0, at, e.outType)};`);
      e.line("}");
      return acc;
    },
  },
};
