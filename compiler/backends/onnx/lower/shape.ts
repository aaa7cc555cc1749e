// Layout ops (compiler/ops/shape.ts). Target shapes come from the IR output type, so a
// symbolic target ([B, T, h, d]) needs no attribute: reshape copies matching dims (0) and
// infers one (-1), and builds the rest at run time (runtime-dims.ts); expand reads only
// the dims it adds.
import { input, expand, reshape, squeeze, transpose, unsqueeze, attrNum, attrNums, type Lowering } from "./build.js";

export const SHAPE_LOWERINGS: Readonly<Record<string, Lowering>> = {
  reshape: (e, n) => reshape(e, input(n, 0), n.outputs[0]!.shape),
  flatten: (e, n) => reshape(e, input(n, 0), n.outputs[0]!.shape),
  transpose: (e, n) => transpose(e, input(n, 0), attrNums(n, "perm")),
  permute: (e, n) => transpose(e, input(n, 0), attrNums(n, "perm")),
  unsqueeze: (e, n) => unsqueeze(e, input(n, 0), [attrNum(n, "axis")]),
  squeeze: (e, n) => squeeze(e, input(n, 0), [attrNum(n, "axis")]),
  expand: (e, n) => expand(e, input(n, 0), n.outputs[0]!.shape, [input(n, 0)]),
};
