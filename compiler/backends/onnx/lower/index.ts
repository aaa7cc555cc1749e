// The lowering table: one entry per op of compiler/ops this target renders, one file per op
// family. The composite ops it has no entry for (the losses, group_norm, cosine_similarity)
// are rewritten into primitives first, by the IR's decompose pass (emit.ts runs it).
import { ACTIVATION_LOWERINGS } from "./activation.js";
import { ARITH_LOWERINGS } from "./arith.js";
import type { Lowering } from "./build.js";
import { CONV_LOWERINGS } from "./conv.js";
import { CREATE_LOWERINGS } from "./create.js";
import { LINALG_LOWERINGS } from "./linalg.js";
import { MISC_LOWERINGS } from "./misc.js";
import { NN_LOWERINGS } from "./nn.js";
import { NORM_LOWERINGS } from "./norm.js";
import { REDUCE_LOWERINGS } from "./reduce.js";
import { SHAPE_LOWERINGS } from "./shape.js";
import { SLICING_LOWERINGS } from "./slicing.js";

export const LOWERINGS: ReadonlyMap<string, Lowering> = new Map(Object.entries({
  ...ARITH_LOWERINGS, ...LINALG_LOWERINGS, ...SHAPE_LOWERINGS, ...SLICING_LOWERINGS, ...CREATE_LOWERINGS,
  ...REDUCE_LOWERINGS, ...ACTIVATION_LOWERINGS, ...NORM_LOWERINGS, ...NN_LOWERINGS, ...CONV_LOWERINGS,
  ...MISC_LOWERINGS,
}));

export type { Emit, Lowering, LowerNode } from "./build.js";
