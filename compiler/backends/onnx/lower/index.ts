// The lowering table: one entry per primitive op of compiler/ops, one file per op family.
import { ACTIVATION_LOWERINGS } from "./activation.js";
import { ARITH_LOWERINGS } from "./arith.js";
import type { Lowering } from "./build.js";
import { CONV_LOWERINGS } from "./conv.js";
import { CREATE_LOWERINGS } from "./create.js";
import { LINALG_LOWERINGS } from "./linalg.js";
import { LOSS_LOWERINGS } from "./loss.js";
import { MISC_LOWERINGS } from "./misc.js";
import { NN_LOWERINGS } from "./nn.js";
import { NORM_LOWERINGS } from "./norm.js";
import { REDUCE_LOWERINGS } from "./reduce.js";
import { SHAPE_LOWERINGS } from "./shape.js";
import { SLICING_LOWERINGS } from "./slicing.js";

export const LOWERINGS: ReadonlyMap<string, Lowering> = new Map(Object.entries({
  ...ARITH_LOWERINGS, ...LINALG_LOWERINGS, ...SHAPE_LOWERINGS, ...SLICING_LOWERINGS, ...CREATE_LOWERINGS,
  ...REDUCE_LOWERINGS, ...ACTIVATION_LOWERINGS, ...NORM_LOWERINGS, ...NN_LOWERINGS, ...CONV_LOWERINGS,
  ...LOSS_LOWERINGS, ...MISC_LOWERINGS,
}));

export type { Emit, Lowering, LowerNode } from "./build.js";
