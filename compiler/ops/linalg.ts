// Matrix products: numpy matmul semantics, and the PyTorch-layout linear layer.
import { formatShape, type Shape } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpDef } from "./op.js";
import { ONE, T, broadcast, needDType, needRank, needShape, result, tensorParam } from "./util.js";

export const LINALG_OPS: readonly OpDef[] = [
  {
    name: "matmul", category: "linalg",
    doc: "Matrix product a @ b with numpy semantics: 1-D operands gain and then lose a unit dim; batch dims broadcast.",
    shapeRule: "[..., m, k] @ [..., k, n] → [broadcast(...), m, n]; [k] @ [k, n] → [n]; [m, k] @ [k] → [m]",
    params: [tensorParam("a"), tensorParam("b")],
    infer(args) {
      const a = args.tensor("a"), b = args.tensor("b");
      needRank(args, "a", a, "matmul left operand", 1, Infinity);
      needRank(args, "b", b, "matmul right operand", 1, Infinity);
      needDType(args, "b", b, a.dtype, "matmul right operand");
      const as: Shape = a.shape.length === 1 ? [ONE, a.shape[0]!] : a.shape;
      const bs: Shape = b.shape.length === 1 ? [b.shape[0]!, ONE] : b.shape;
      const k1 = as[as.length - 1]!, k2 = bs[bs.length - 2]!;
      if (!k1.equals(k2)) {
        const last = bs[bs.length - 1]!;
        const hint = b.shape.length >= 2 && last.equals(k1) ? "the right operand's last dim matches: did you mean a @ b.T?" : "the last dim of a must equal the second-to-last dim of b";
        fail("MM4002", args.span("b"), { left: formatShape(a.shape), right: formatShape(b.shape), a: k1.toString(), b: k2.toString() }, {
          hint, related: [{ span: args.span("a"), message: `left operand has shape ${formatShape(a.shape)}` }],
        });
      }
      const batch = broadcast(args, "a", as.slice(0, -2), "b", bs.slice(0, -2));
      const shape = [...batch, ...(a.shape.length > 1 ? [as[as.length - 2]!] : []), ...(b.shape.length > 1 ? [bs[bs.length - 1]!] : [])];
      return result(T(shape, a.dtype));
    },
  },
  {
    name: "linear", category: "linalg",
    doc: "A dense layer x @ weight.T + bias, with weight in PyTorch layout [out, in].",
    shapeRule: "[..., in], [out, in], [out]? → [..., out]",
    decomposition: "add(matmul(x, transpose(weight, 0, 1)), bias)",
    params: [tensorParam("x"), tensorParam("weight"), { name: "bias", kind: "tensor?" }],
    infer(args) {
      const x = args.tensor("x"), w = args.tensor("weight"), bias = args.optTensor("bias");
      needRank(args, "x", x, "linear input", 1, Infinity);
      needRank(args, "weight", w, "linear weight", 2, 2, "the weight is [out, in] (PyTorch layout)");
      needDType(args, "weight", w, x.dtype, "linear weight");
      const xin = x.shape[x.shape.length - 1]!, [out, win] = [w.shape[0]!, w.shape[1]!];
      if (!xin.equals(win)) {
        const hint = out.equals(xin) && !out.equals(win)
          ? `the weight looks transposed: linear takes [out, in] = [${win}, ${out}]`
          : "the weight is [out, in] (PyTorch layout): its second dim must equal x's last dim";
        fail("MM4002", args.span("weight"), { left: formatShape(x.shape), right: `${formatShape(w.shape)}.T`, a: xin.toString(), b: win.toString() }, {
          hint, related: [{ span: args.span("x"), message: `input has shape ${formatShape(x.shape)}` }],
        });
      }
      if (bias) {
        needShape(args, "bias", "linear bias", [out], bias.shape);
        needDType(args, "bias", bias, x.dtype, "linear bias");
      }
      return result(T([...x.shape.slice(0, -1), out], x.dtype), { bias: bias !== undefined });
    },
  },
];
