// Reductions, scans, top-k, one-hot (compiler/ops/reduce.ts).
import { attrNum, attrNums, binary, cast, input, reduce, unsqueeze, type Lowering, type LowerNode } from "./build.js";
import { range } from "./create.js";

/** Sum and product accumulate bool and integer inputs in int64 (the IR output dtype). */
function reduction(type: string): Lowering {
  return (e, n: LowerNode) => {
    const out = n.outputs[0]!;
    return reduce(e, type, cast(e, input(n, 0), out.dtype), attrNums(n, "axes"), n.attrs.keepdim === true);
  };
}

function arg(type: string): Lowering {
  return (e, n) => e.ctx.op(type, [input(n, 0)], n.outputs[0]!, { axis: { i: attrNum(n, "axis") }, keepdims: { i: n.attrs.keepdim === true ? 1 : 0 } });
}

export const REDUCE_LOWERINGS: Readonly<Record<string, Lowering>> = {
  sum: reduction("ReduceSum"),
  mean: reduction("ReduceMean"),
  max: reduction("ReduceMax"),
  min: reduction("ReduceMin"),
  prod: reduction("ReduceProd"),
  logsumexp: reduction("ReduceLogSumExp"),
  argmax: arg("ArgMax"),
  argmin: arg("ArgMin"),
  cumsum: (e, n) => {
    const out = n.outputs[0]!;
    return e.ctx.op("CumSum", [cast(e, input(n, 0), out.dtype), e.ctx.scalar(attrNum(n, "axis"), "int64")], out);
  },
  topk: (e, n) => {
    const x = input(n, 0), axis = attrNum(n, "axis");
    const k = e.dims.dim(n.outputs[0]!.shape[axis]!, [x]);
    return e.ctx.opN("TopK", [x, k], n.outputs, { axis: { i: axis }, largest: { i: 1 }, sorted: { i: 1 } });
  },
  one_hot: (e, n) => {
    // Equal against a range rather than OneHot: runtimes support few OneHot type triples.
    const out = n.outputs[0]!;
    const idx = unsqueeze(e, cast(e, input(n, 0), "int64"), [input(n, 0).type.shape.length]);
    const classes = range(e, out.shape[out.shape.length - 1]!);
    const hot = binary(e, "Equal", idx, classes, "bool");
    return cast(e, hot, out.dtype);
  },
};

