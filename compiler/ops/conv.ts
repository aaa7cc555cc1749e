// Convolutions and pooling over 1, 2 or 3 spatial dims, channels first ([B, C, spatial...]).
// Output sizes are floor((L + 2p - d*(k-1) - 1)/s) + 1, symbolic where L is.
import { Dim } from "../base/dims.js";
import { formatShape, type Shape } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpArgs, OpDef } from "./op.js";
import { T, constShape, needDType, needFloat, needPositive, needRank, needShape, result, spatialInts, tensorParam } from "./util.js";

const SPATIAL = ["", "L", "H, W", "D, H, W"] as const;
const KERNEL = ["", "k", "kh, kw", "kd, kh, kw"] as const;

/** One output size; MM3017 when the (dilated) window is larger than the padded input. */
function outSize(args: OpArgs, param: string, l: Dim, k: Dim, s: number, p: number, d: number): Dim {
  const span = k.mul(d).sub(d).add(1);
  const out = l.add(2 * p).sub(span).floorDiv(s).add(1);
  const v = out.constValue();
  if (v !== undefined && v <= 0)
    fail("MM3017", args.span(param), { value: v }, { hint: `the window (${span}) is larger than the padded input (${l.add(2 * p)}); pad more or use a smaller kernel` });
  return out;
}

function conv(n: 1 | 2 | 3): OpDef {
  const name = `conv${n}d`;
  return {
    name, category: "conv",
    doc: `${n}-D convolution, channels first; weight [out, in/groups, ${KERNEL[n]}].`,
    shapeRule: `x [B, C, ${SPATIAL[n]}], weight [O, C/groups, ${KERNEL[n]}], bias [O]? → [B, O, out...], out = floor((L + 2p - d*(k-1) - 1)/s) + 1`,
    params: [
      tensorParam("x"), tensorParam("weight"), { name: "bias", kind: "tensor?" },
      { name: "stride", kind: "ints", default: [1], doc: "one Int, or one per spatial dim" },
      { name: "padding", kind: "ints", default: [0], doc: "zeros added on both sides; one Int, or one per spatial dim" },
      { name: "dilation", kind: "ints", default: [1] },
      { name: "groups", kind: "int", default: 1 },
    ],
    infer(args) {
      const x = args.tensor("x"), w = args.tensor("weight"), bias = args.optTensor("bias");
      needRank(args, "x", x, `${name} input`, n + 2, n + 2, `${name} takes [B, C, ${SPATIAL[n]}]`);
      needRank(args, "weight", w, `${name} weight`, n + 2, n + 2, `the weight is [out, in/groups, ${KERNEL[n]}]`);
      needFloat(args, "x", x, `${name} input`);
      needDType(args, "weight", w, x.dtype, `${name} weight`);
      const stride = spatialInts(args, "stride", n, 1);
      const padding = spatialInts(args, "padding", n, 0);
      const dilation = spatialInts(args, "dilation", n, 1);
      const groups = args.num("groups");
      if (groups < 1) fail("MM3018", args.span("groups"), { what: "'groups'", expected: "a positive integer", actual: groups });
      const c = x.shape[1]!, o = w.shape[0]!;
      const cin = w.shape[1]!.mul(groups);
      if (!c.equals(cin)) {
        fail("MM4006", args.span("x"), { op: name, expected: cin.toString(), actual: c.toString() }, {
          hint: groups > 1 ? `the weight [O, C/groups, ...] with groups: ${groups} expects ${cin} channels` : "the input's channel dim (axis 1) must equal the weight's second dim",
          related: [{ span: args.span("weight"), message: `weight has shape ${formatShape(w.shape)}` }],
        });
      }
      if (o.exactDiv(groups) === undefined)
        fail("MM3018", args.span("groups"), { what: "'groups'", expected: `a divisor of the ${o} output channels`, actual: groups });
      if (bias) {
        needShape(args, "bias", `${name} bias`, [o], bias.shape);
        needDType(args, "bias", bias, x.dtype, `${name} bias`);
      }
      const spatial = Array.from({ length: n }, (_, i) =>
        outSize(args, "x", x.shape[2 + i]!, w.shape[2 + i]!, stride[i]!, padding[i]!, dilation[i]!));
      return result(T([x.shape[0]!, o, ...spatial], x.dtype), {
        stride, padding, dilation, groups, kernel: constShape(w.shape.slice(2)), bias: bias !== undefined,
      });
    },
  };
}

/** Pools accept [C, spatial...] too; the last n dims are spatial. */
function pool(kind: "max" | "avg", n: 1 | 2 | 3): OpDef {
  const name = `${kind}_pool${n}d`;
  return {
    name, category: "conv",
    doc: `${n}-D ${kind === "max" ? "max" : "average"} pooling over the last ${n} dim${n > 1 ? "s" : ""}.`,
    shapeRule: `[..., ${SPATIAL[n]}] → [..., out...], out = floor((L + 2p - k)/s) + 1`,
    params: [
      tensorParam("x"), { name: "kernel", kind: "ints" },
      { name: "stride", kind: "ints?", doc: "defaults to the kernel" },
      { name: "padding", kind: "ints", default: [0] },
    ],
    infer(args) {
      const x = args.tensor("x");
      needRank(args, "x", x, `${name} input`, n + 1, n + 2, `${name} takes [B, C, ${SPATIAL[n]}] or [C, ${SPATIAL[n]}]`);
      if (kind === "avg") needFloat(args, "x", x, `${name} input`);
      const kernel = spatialInts(args, "kernel", n, 1);
      const stride = args.optInts("stride") === undefined ? kernel : spatialInts(args, "stride", n, 1);
      const padding = spatialInts(args, "padding", n, 0);
      const bad = padding.findIndex((p, i) => 2 * p > kernel[i]!);
      if (bad >= 0)
        fail("MM3018", args.span("padding"), { what: "'padding'", expected: `at most half the kernel (${Math.floor(kernel[bad]! / 2)})`, actual: padding[bad]! });
      const lead = x.shape.length - n;
      const spatial = x.shape.slice(lead).map((l, i) => outSize(args, "x", l, Dim.const(kernel[i]!), stride[i]!, padding[i]!, 1));
      return result(T([...x.shape.slice(0, lead), ...spatial], x.dtype), { kernel, stride, padding });
    },
  };
}

function adaptive(n: 1 | 2 | 3): OpDef {
  const name = `adaptive_avg_pool${n}d`;
  return {
    name, category: "conv", doc: `Averages over ${n}-D windows chosen to give a fixed output size.`,
    shapeRule: `[..., ${SPATIAL[n]}] → [..., output_size...]`,
    params: [tensorParam("x"), { name: "output_size", kind: "ints", doc: "one Int, or one per spatial dim" }],
    infer(args) {
      const x = args.tensor("x");
      needRank(args, "x", x, `${name} input`, n + 1, n + 2, `${name} takes [B, C, ${SPATIAL[n]}] or [C, ${SPATIAL[n]}]`);
      needFloat(args, "x", x, `${name} input`);
      const given = args.ints("output_size");
      if (given.length !== 1 && given.length !== n)
        fail("MM3018", args.span("output_size"), { what: "'output_size'", expected: `1 or ${n} values`, actual: `${given.length} values` });
      given.forEach((d) => needPositive(args, "output_size", d));
      const size: Shape = given.length === n ? given : Array.from({ length: n }, () => given[0]!);
      return result(T([...x.shape.slice(0, x.shape.length - n), ...size], x.dtype), { output_size: constShape(size) });
    },
  };
}

export const CONV_OPS: readonly OpDef[] = [
  conv(1), conv(2), conv(3),
  pool("max", 1), pool("max", 2), pool("max", 3),
  pool("avg", 1), pool("avg", 2), pool("avg", 3),
  adaptive(1), adaptive(2), adaptive(3),
];
