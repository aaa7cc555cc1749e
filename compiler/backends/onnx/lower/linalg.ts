// Matrix products (compiler/ops/linalg.ts). linear's weight stays in PyTorch layout
// [out, in] (the initializer is the checkpoint tensor): a 2-D input uses Gemm with
// transB, anything else MatMul with a Transpose, which runtimes fold for constant weights.
import { T } from "../context.js";
import { add, input, matmul, transpose, type Lowering } from "./build.js";

export const LINALG_LOWERINGS: Readonly<Record<string, Lowering>> = {
  matmul: (e, n) => matmul(e, input(n, 0), input(n, 1)),
  linear: (e, n) => {
    const x = input(n, 0), w = input(n, 1), b = n.inputs[2] ?? null;
    const out = n.outputs[0]!;
    if (x.type.shape.length === 2) return e.ctx.op("Gemm", [x, w, b], T(out.shape, out.dtype), { transB: { i: 1 } });
    const y = matmul(e, x, transpose(e, w, [1, 0]));
    return b ? add(e, y, b) : y;
  },
};
