// The primitive op table. Ops are looked up by their mm surface name; backends read the
// same names and the attrs each op's infer normalizes.
import { DimDivisionByZeroError, DimOverflowError } from "../base/dims.js";
import { fail } from "../diagnostics/diagnostic.js";
import { ACTIVATION_OPS } from "./activation.js";
import { ARITH_OPS } from "./arith.js";
import { CONV_OPS } from "./conv.js";
import { CREATE_OPS } from "./create.js";
import { LINALG_OPS } from "./linalg.js";
import { LOSS_OPS } from "./loss.js";
import { MISC_OPS } from "./misc.js";
import { NN_OPS } from "./nn.js";
import { NORM_OPS } from "./norm.js";
import type { OpDef } from "./op.js";
import { REDUCE_OPS } from "./reduce.js";
import { SHAPE_OPS } from "./shape.js";
import { SLICING_OPS } from "./slicing.js";

export type { OpArgs, OpAttrs, OpDef, OpParam, OpParamKind, OpResult } from "./op.js";
export { promote, scalarOperand } from "./util.js";

const ALL: readonly OpDef[] = [
  ...ARITH_OPS, ...LINALG_OPS, ...SHAPE_OPS, ...SLICING_OPS, ...CREATE_OPS, ...REDUCE_OPS,
  ...ACTIVATION_OPS, ...NORM_OPS, ...NN_OPS, ...CONV_OPS, ...LOSS_OPS, ...MISC_OPS,
];

/** Dim arithmetic inside a rule (e.g. a huge numel) reports MM3008 / MM3016 at the call. */
function guarded(op: OpDef): OpDef {
  return {
    ...op,
    infer(args) {
      try {
        return op.infer(args);
      } catch (e) {
        if (e instanceof DimOverflowError) fail("MM3008", args.callSpan, { value: e.limit === "2^53" ? `value ${e.value}` : e.value, limit: e.limit });
        if (e instanceof DimDivisionByZeroError) fail("MM3016", args.callSpan);
        throw e;
      }
    },
  };
}

function table(ops: readonly OpDef[]): ReadonlyMap<string, OpDef> {
  const m = new Map<string, OpDef>();
  for (const op of ops) {
    if (m.has(op.name)) throw new Error(`internal: op '${op.name}' is defined twice`);
    m.set(op.name, guarded(op));
  }
  return m;
}

export const OPS: ReadonlyMap<string, OpDef> = table(ALL);

/** All op names, sorted. */
export function opNames(): string[] {
  return [...OPS.keys()].sort();
}
