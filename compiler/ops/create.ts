// Ops that make tensors from compile-time values (ranges, constants, masks), and the
// triangular masking ops that go with them.
import type { OpDef, OpParam } from "./op.js";
import { T, constShape, dimAttr, needPositive, needRank, result, tensorParam } from "./util.js";

function filled(name: "ones" | "zeros", value: number): OpDef {
  return {
    name, category: "shape", doc: `A tensor of ${value}s.`, shapeRule: "shape → shape",
    params: [{ name: "shape", kind: "ints" }, { name: "dtype", kind: "dtype", default: "float32" }],
    infer(args) {
      const shape = args.ints("shape");
      shape.forEach((d) => needPositive(args, "shape", d));
      return result(T(shape, args.dtype("dtype")), { shape: constShape(shape), value });
    },
  };
}

function triangle(name: "tril" | "triu", doc: string): OpDef {
  const k: OpParam = { name: "k", kind: "int", default: 0, doc: "diagonal offset: 0 the main diagonal, > 0 above it" };
  return {
    name, category: "shape", doc, shapeRule: "[..., m, n] → [..., m, n]",
    params: [tensorParam("x"), k],
    infer(args) {
      const x = args.tensor("x");
      needRank(args, "x", x, `${name} input`, 2, Infinity);
      return result(x, { k: args.num("k") });
    },
  };
}

export const CREATE_OPS: readonly OpDef[] = [
  {
    name: "arange", category: "shape", doc: "The integers 0, 1, ..., n-1 (positions).", shapeRule: "n → [n] int64",
    params: [{ name: "n", kind: "int" }],
    infer(args) {
      const n = args.int("n");
      needPositive(args, "n", n);
      return result(T([n], "int64"), { n: dimAttr(n) });
    },
  },
  {
    name: "dim_value", category: "shape",
    doc: "An Int as a 0-d tensor, read at run time when it is a symbolic dim: what `sum(x) / N` builds for `N` (an Int next to a tensor takes the tensor's dtype, as a literal does).",
    shapeRule: "n → [] dtype",
    params: [{ name: "n", kind: "int" }, { name: "dtype", kind: "dtype", default: "int64" }],
    infer(args) {
      return result(T([], args.dtype("dtype")), { n: dimAttr(args.int("n")) });
    },
  },
  filled("ones", 1),
  filled("zeros", 0),
  triangle("tril", "Keeps the lower triangle of the last two dims (j <= i + k), zeroing the rest."),
  triangle("triu", "Keeps the upper triangle of the last two dims (j >= i + k), zeroing the rest."),
  {
    name: "causal_mask", category: "shape",
    doc: "A bool mask that is true where query i may attend to key j (j <= i), as attention masks expect.",
    shapeRule: "n → [n, n] bool",
    params: [{ name: "n", kind: "int" }],
    infer(args) {
      const n = args.int("n");
      needPositive(args, "n", n);
      return result(T([n, n], "bool"), { n: dimAttr(n) });
    },
  },
];
