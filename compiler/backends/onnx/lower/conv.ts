// Convolution and pooling (compiler/ops/conv.ts), channels first as in ONNX. Pools also
// take [C, spatial...]: a unit batch is added and removed around the ONNX op. Adaptive
// average pooling with windows that tile the input is an AveragePool; otherwise it is
// separable per spatial dim: PyTorch's windows [floor(i·L/o), ceil((i+1)·L/o)), each
// averaged (Slice + ReduceMean), concatenated.
import { Dim } from "../../../base/dims.js";
import type { TensorType } from "../../../base/tensor.js";
import { LoweringError, T, type V } from "../context.js";
import { attrNum, attrNums, input, reduce, squeeze, unsqueeze, type Emit, type Lowering, type LowerNode } from "./build.js";

const conv: Lowering = (e, n) => {
  const padding = attrNums(n, "padding");
  const kernel = n.attrs.kernel;
  return e.ctx.op("Conv", [input(n, 0), input(n, 1), n.inputs[2] ?? null], n.outputs[0]!, {
    strides: { ints: attrNums(n, "stride") }, pads: { ints: [...padding, ...padding] },
    dilations: { ints: attrNums(n, "dilation") }, group: { i: attrNum(n, "groups") },
    ...(Array.isArray(kernel) ? { kernel_shape: { ints: kernel } } : {}),
  });
};

/** Runs a [N, C, spatial...] op on x, adding a unit batch when x is [C, spatial...]. */
function batched(e: Emit, x: V, spatial: number, out: TensorType, f: (x: V, out: TensorType) => V): V {
  if (x.type.shape.length === spatial + 2) return f(x, out);
  const y = f(unsqueeze(e, x, [0]), T([Dim.ONE, ...out.shape], out.dtype));
  return squeeze(e, y, [0]);
}

function pool(type: "MaxPool" | "AveragePool", spatial: number): Lowering {
  return (e, n) => {
    const padding = attrNums(n, "padding");
    const attrs = {
      kernel_shape: { ints: attrNums(n, "kernel") }, strides: { ints: attrNums(n, "stride") }, pads: { ints: [...padding, ...padding] },
      ...(type === "AveragePool" ? { count_include_pad: { i: 1 } } : {}), // PyTorch's default
    };
    return batched(e, input(n, 0), spatial, n.outputs[0]!, (x, out) => e.ctx.op(type, [x], out, attrs));
  };
}

function adaptive(spatial: number): Lowering {
  return (e, n: LowerNode) => {
    const x = input(n, 0), r = x.type.shape.length;
    const sizes = attrNums(n, "output_size");
    const lens = x.type.shape.slice(r - spatial).map((d) => d.constValue());
    if (lens.some((l) => l === undefined)) throw new LoweringError("adaptive_avg_pool of a symbolic spatial size is not supported by the ONNX backend");
    const ls = lens as number[];
    if (ls.every((l, i) => l % sizes[i]! === 0)) {
      const k = ls.map((l, i) => l / sizes[i]!);
      const attrs = { kernel_shape: { ints: k }, strides: { ints: k }, pads: { ints: k.flatMap(() => [0, 0]) } };
      return batched(e, x, spatial, n.outputs[0]!, (xb, out) => e.ctx.op("AveragePool", [xb], out, attrs));
    }
    let cur = x;
    ls.forEach((l, i) => {
      const axis = r - spatial + i, o = sizes[i]!;
      const parts: V[] = [];
      for (let j = 0; j < o; j++) {
        const s = Math.floor((j * l) / o), t = Math.ceil(((j + 1) * l) / o);
        const shape = cur.type.shape.map((d, a) => (a === axis ? Dim.const(t - s) : d));
        const win = e.ctx.op("Slice", [cur, e.ctx.ints([s]), e.ctx.ints([t]), e.ctx.ints([axis])], T(shape, cur.type.dtype));
        parts.push(reduce(e, "ReduceMean", win, [axis], true));
      }
      const shape = cur.type.shape.map((d, a) => (a === axis ? Dim.const(o) : d));
      cur = e.ctx.op("Concat", parts, T(shape, cur.type.dtype), { axis: { i: axis } });
    });
    return cur;
  };
}

export const CONV_LOWERINGS: Readonly<Record<string, Lowering>> = {
  conv1d: conv, conv2d: conv, conv3d: conv,
  max_pool1d: pool("MaxPool", 1), max_pool2d: pool("MaxPool", 2), max_pool3d: pool("MaxPool", 3),
  avg_pool1d: pool("AveragePool", 1), avg_pool2d: pool("AveragePool", 2), avg_pool3d: pool("AveragePool", 3),
  adaptive_avg_pool1d: adaptive(1), adaptive_avg_pool2d: adaptive(2), adaptive_avg_pool3d: adaptive(3),
};
