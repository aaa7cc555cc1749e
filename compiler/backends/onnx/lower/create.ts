// Tensors made from compile-time values (compiler/ops/create.ts). Sizes come from the IR
// output type and are read at run time when symbolic (arange(B)).
import { Dim } from "../../../base/dims.js";
import { T, type V } from "../context.js";
import { tensorProto } from "../proto.js";
import { attrDim, attrNum, binary, cast, input, unsqueeze, type Emit, type Lowering } from "./build.js";

/** 0, 1, ..., n-1 as int64. */
export function range(e: Emit, n: Dim, hints: readonly V[] = []): V {
  return e.ctx.op("Range", [e.ctx.scalar(0, "int64"), e.dims.scalar(n, hints), e.ctx.scalar(1, "int64")], T([n], "int64"));
}

/** [m, n] bool, true where j <= i + k (the lower triangle), from two ranges. */
export function lowerTriangle(e: Emit, m: Dim, n: Dim, k: number, hints: readonly V[] = []): V {
  const rows = unsqueeze(e, range(e, m, hints), [1]);
  const cols = unsqueeze(e, range(e, n, hints), [0]);
  const shifted = k === 0 ? rows : binary(e, "Add", rows, e.ctx.scalar(k, "int64"));
  return binary(e, "LessOrEqual", cols, shifted, "bool");
}

function filled(value: number): Lowering {
  return (e, n) => {
    const out = n.outputs[0]!;
    const one = tensorProto("value", out.dtype, [1], [value]);
    return e.ctx.op("ConstantOfShape", [e.dims.shape(out.shape)], out, { value: { t: one } });
  };
}

/** tril/triu: Trilu (opset 14) keeps a triangle. */
function triangle(upper: boolean): Lowering {
  return (e, n) => e.ctx.op("Trilu", [input(n, 0), e.ctx.scalar(attrNum(n, "k"), "int64")], n.outputs[0]!, { upper: { i: upper ? 1 : 0 } });
}

export const CREATE_LOWERINGS: Readonly<Record<string, Lowering>> = {
  arange: (e, n) => range(e, n.outputs[0]!.shape[0]!),
  // A symbolic dim is read from an input's shape (runtime-dims.ts), then takes the dtype.
  dim_value: (e, n) => cast(e, e.dims.scalar(attrDim(n, "n")), n.outputs[0]!.dtype),
  ones: filled(1),
  zeros: filled(0),
  tril: triangle(false),
  triu: triangle(true),
  causal_mask: (e, n) => {
    const d = n.outputs[0]!.shape[0]!;
    return lowerTriangle(e, d, d, 0);
  },
};

