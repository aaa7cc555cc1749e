// Reductions over axes, scans, top-k and one-hot encoding.
import { Dim } from "../base/dims.js";
import { isFloatDType, type DType, type Shape } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpDef, OpParam } from "./op.js";
import { T, dimAttr, needFloat, needInt, needPositive, normAxis, reduceAxes, result, tensorParam } from "./util.js";

const KEEPDIM: OpParam = { name: "keepdim", kind: "bool", default: false, doc: "keep reduced axes as size 1" };

function reducedShape(shape: Shape, axes: readonly number[], keepdim: boolean): Dim[] {
  return shape.flatMap((d, i) => (!axes.includes(i) ? [d] : keepdim ? [Dim.ONE] : []));
}

type Dtypes = "sum" | "float" | "same";
/** "sum": bool and integer inputs accumulate in int64; "float": float inputs only. */
function reduction(name: string, doc: string, dtypes: Dtypes, decomposition?: string): OpDef {
  return {
    name, category: "reduce", doc, ...(decomposition ? { decomposition } : {}),
    shapeRule: "[d...] → [d...] without the reduced axes (size 1 with keepdim); all axes when none are given",
    params: [tensorParam("x"), { name: "axes", kind: "ints?", doc: "axes to reduce; all when absent" }, KEEPDIM],
    infer(args) {
      const x = args.tensor("x");
      if (dtypes === "float") needFloat(args, "x", x, `${name} input`);
      const axes = reduceAxes(args, "axes", x.shape.length);
      const keepdim = args.bool("keepdim");
      const dtype: DType = dtypes === "sum" && !isFloatDType(x.dtype) ? "int64" : x.dtype;
      return result(T(reducedShape(x.shape, axes, keepdim), dtype), { axes, keepdim });
    },
  };
}

function argReduction(name: "argmax" | "argmin"): OpDef {
  return {
    name, category: "reduce", doc: `The int64 position of the ${name === "argmax" ? "largest" : "smallest"} entry along an axis.`,
    shapeRule: "[a..., n, b...] → [a..., b...] int64 (size 1 with keepdim)",
    params: [tensorParam("x"), { name: "axis", kind: "int" }, KEEPDIM],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length);
      const keepdim = args.bool("keepdim");
      return result(T(reducedShape(x.shape, [axis], keepdim), "int64"), { axis, keepdim });
    },
  };
}

export const REDUCE_OPS: readonly OpDef[] = [
  reduction("sum", "Sum over axes (bool and integer inputs give int64).", "sum"),
  reduction("mean", "Mean over axes (float inputs).", "float", "sum(x, axes) / (product of the reduced dims)"),
  reduction("max", "Maximum over axes.", "same"),
  reduction("min", "Minimum over axes.", "same"),
  reduction("prod", "Product over axes (bool and integer inputs give int64).", "sum"),
  reduction("logsumexp", "log(sum(exp(x))) over axes, computed stably.", "float", "m = max(x, axes, keepdim: true); m + log(sum(exp(x - m), axes))"),
  argReduction("argmax"),
  argReduction("argmin"),
  {
    name: "cumsum", category: "reduce", doc: "Running sum along an axis.", shapeRule: "x → x",
    params: [tensorParam("x"), { name: "axis", kind: "int" }],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length);
      return result(T(x.shape, isFloatDType(x.dtype) ? x.dtype : "int64"), { axis });
    },
  },
  {
    name: "topk", category: "reduce", doc: "The k largest entries along an axis and their int64 positions (two outputs).",
    shapeRule: "[a..., n, b...] → values [a..., k, b...], indices [a..., k, b...] int64; k <= n",
    params: [tensorParam("x"), { name: "k", kind: "int" }, { name: "axis", kind: "int", default: -1 }],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length);
      const k = args.int("k");
      needPositive(args, "k", k);
      const n = x.shape[axis]!;
      const ck = k.constValue(), cn = n.constValue();
      if (ck !== undefined && cn !== undefined && ck > cn) fail("MM4013", args.span("k"), { index: ck, dim: cn }, { hint: `k must be at most ${cn}` });
      const shape = x.shape.map((d, i) => (i === axis ? k : d));
      return result([T(shape, x.dtype), T(shape, "int64")], { k: dimAttr(k), axis });
    },
  },
  {
    name: "one_hot", category: "reduce", doc: "Encodes integer class ids as one-hot vectors.",
    shapeRule: "[d...] int → [d..., classes] float32",
    params: [tensorParam("indices"), { name: "classes", kind: "int" }, { name: "dtype", kind: "dtype", default: "float32" }],
    infer(args) {
      const idx = args.tensor("indices");
      needInt(args, "indices", idx, "one_hot indices");
      const classes = args.int("classes");
      needPositive(args, "classes", classes);
      return result(T([...idx.shape, classes], args.dtype("dtype")), { classes: dimAttr(classes) });
    },
  },
];
