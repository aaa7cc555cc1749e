// Ops that join, cut or pick along an axis: concat, split, slice, gather, index, pad.
import { Dim } from "../base/dims.js";
import { formatShape, type Shape } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpDef } from "./op.js";
import { T, constInts, constShape, dimAttr, needInt, needPositive, needRank, normAxis, result, tensorParam } from "./util.js";

const withDim = (shape: Shape, axis: number, d: Dim): Dim[] => shape.map((x, i) => (i === axis ? d : x));

/** Python slice length for constant bounds, clamped to [0, n]. */
function pySlice(n: number, start: number | undefined, stop: number | undefined, step: number): { start: number; stop: number; len: number } {
  const clamp = (v: number): number => (v < 0 ? Math.max(0, v + n) : Math.min(v, n));
  const s = start === undefined ? 0 : clamp(start);
  const e = stop === undefined ? n : clamp(stop);
  return { start: s, stop: e, len: Math.max(0, Math.ceil((e - s) / step)) };
}

export const SLICING_OPS: readonly OpDef[] = [
  {
    name: "concat", category: "shape", doc: "Joins tensors along an axis; other dims must match.",
    shapeRule: "[..., a_i, ...] for each tensor → [..., sum(a_i), ...]",
    params: [{ name: "tensors", kind: "tensors" }, { name: "axis", kind: "int", default: 0 }],
    infer(args) {
      const ts = args.tensors("tensors");
      const sp = args.span("tensors");
      if (ts.length === 0) fail("MM3018", sp, { what: "concat", expected: "at least one tensor", actual: "[]" });
      const first = ts[0]!;
      needRank(args, "tensors", first, "concat operand", 1, Infinity);
      const r = first.shape.length;
      const axis = normAxis(args, "axis", r);
      let total = Dim.ZERO;
      ts.forEach((t, i) => {
        if (t.shape.length !== r)
          fail("MM4004", sp, { axis, detail: `tensor ${i} has rank ${t.shape.length} (${formatShape(t.shape)}), tensor 0 has rank ${r} (${formatShape(first.shape)})` });
        const j = t.shape.findIndex((d, k) => k !== axis && !d.equals(first.shape[k]!));
        if (j >= 0)
          fail("MM4004", sp, { axis, detail: `tensor ${i} is ${formatShape(t.shape)}, tensor 0 is ${formatShape(first.shape)} (dim ${j}: ${t.shape[j]} vs ${first.shape[j]})` },
            { hint: `only dim ${axis} may differ; did you mean axis: ${j}?` });
        if (t.dtype !== first.dtype) fail("MM4010", sp, { what: `concat tensor ${i}`, expected: first.dtype, actual: t.dtype });
        total = total.add(t.shape[axis]!);
      });
      return result(T(withDim(first.shape, axis, total), first.dtype), { axis });
    },
  },
  {
    name: "split", category: "shape", doc: "Cuts x along an axis into pieces of the given sizes (several outputs).",
    shapeRule: "[..., n, ...] → [..., s_i, ...] for each size, sum(s_i) = n",
    params: [tensorParam("x"), { name: "sizes", kind: "ints" }, { name: "axis", kind: "int", default: 0 }],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length);
      const sizes = args.ints("sizes");
      sizes.forEach((s) => needPositive(args, "sizes", s));
      const sum = sizes.reduce<Dim>((a, s) => a.add(s), Dim.ZERO);
      const n = x.shape[axis]!;
      if (!sum.equals(n)) fail("MM4001", args.span("sizes"), { what: `split sizes along axis ${axis}`, expected: `a sum of ${n}`, actual: sum.toString() });
      return result(sizes.map((s) => T(withDim(x.shape, axis, s), x.dtype)), { axis, sizes: constShape(sizes) });
    },
  },
  {
    name: "slice", category: "shape", doc: "Takes x[start:stop:step] along an axis (Python semantics; negative bounds count from the end).",
    shapeRule: "[..., n, ...] → [..., len(range(start, stop, step) clamped to n), ...]",
    params: [
      tensorParam("x"), { name: "axis", kind: "int" }, { name: "start", kind: "int?" }, { name: "stop", kind: "int?" },
      { name: "step", kind: "int", default: 1 },
    ],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length);
      const step = args.num("step");
      if (step <= 0) fail("MM3018", args.span("step"), { what: "slice step", expected: "a positive integer", actual: step });
      const n = x.shape[axis]!;
      const start = args.optInt("start"), stop = args.optInt("stop");
      const cn = n.constValue(), cs = start?.constValue(), ce = stop?.constValue();
      if (cn !== undefined && (start === undefined || cs !== undefined) && (stop === undefined || ce !== undefined)) {
        const s = pySlice(cn, cs, ce, step);
        return result(T(withDim(x.shape, axis, Dim.const(s.len)), x.dtype), { axis, start: s.start, stop: s.stop, step });
      }
      // A symbolic bound or dim: assume the bounds lie inside it (the runtime shape check
      // enforces it). A bound below zero at every binding (-3, -T) counts from the end.
      const fromEnd = (d: Dim): Dim => (d.isNegative() ? n.add(d) : d);
      const s = start === undefined ? Dim.ZERO : fromEnd(start);
      const e = stop === undefined ? n : fromEnd(stop);
      let len = e.sub(s).add(step - 1).floorDiv(step);
      if (len.constValue() !== undefined && len.constValue()! < 0) len = Dim.ZERO;
      // The bounds are recorded as written (Python's meaning, which ONNX Slice shares), a
      // symbolic one as its Dim; null is absent (from the start, to the end).
      const bound = (d: Dim | undefined): number | Dim | null => (d === undefined ? null : dimAttr(d));
      return result(T(withDim(x.shape, axis, len), x.dtype), { axis, start: bound(start), stop: bound(stop), step });
    },
  },
  {
    name: "gather", category: "shape", doc: "Picks entries of x along an axis by integer indices (numpy take / ONNX Gather).",
    shapeRule: "x [a..., n, b...], indices [i...] → [a..., i..., b...]",
    params: [tensorParam("x"), tensorParam("indices"), { name: "axis", kind: "int", default: 0 }],
    infer(args) {
      const x = args.tensor("x"), idx = args.tensor("indices");
      needInt(args, "indices", idx, "gather indices");
      const axis = normAxis(args, "axis", x.shape.length);
      return result(T([...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], x.dtype), { axis });
    },
  },
  {
    name: "index", category: "shape", doc: "Takes one position along an axis, removing the axis (x[..., i]).",
    shapeRule: "[a..., n, b...] → [a..., b...], -n <= i < n",
    params: [tensorParam("x"), { name: "axis", kind: "int" }, { name: "i", kind: "int" }],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length);
      const i = args.int("i");
      const n = x.shape[axis]!;
      const ci = i.constValue(), cn = n.constValue();
      if (ci !== undefined && cn !== undefined && (ci < -cn || ci >= cn)) fail("MM4013", args.span("i"), { index: ci, dim: cn });
      // Recorded from the start of the axis; a symbolic index as its Dim.
      const norm = i.isNegative() ? n.add(i) : i;
      return result(T(x.shape.filter((_, k) => k !== axis), x.dtype), { axis, index: dimAttr(norm) });
    },
  },
  {
    name: "pad", category: "shape", doc: "Pads with a constant; pads are (left, right) pairs from the last dim backwards, as in torch.nn.functional.pad.",
    shapeRule: "[..., n] with pads [l, r] → [..., l + n + r] (pairs apply to the last dims first)",
    params: [tensorParam("x"), { name: "pads", kind: "ints" }, { name: "value", kind: "float", default: 0 }],
    infer(args) {
      const x = args.tensor("x");
      const r = x.shape.length;
      const pads = constInts(args, "pads");
      if (pads.length % 2 !== 0 || pads.length > 2 * r)
        fail("MM3018", args.span("pads"), { what: "'pads'", expected: `an even number of values, at most ${2 * r}`, actual: `${pads.length} values` });
      const begin = Array.from({ length: r }, () => 0), end = Array.from({ length: r }, () => 0);
      for (let k = 0; k < pads.length / 2; k++) {
        begin[r - 1 - k] = pads[2 * k]!;
        end[r - 1 - k] = pads[2 * k + 1]!;
      }
      const shape = x.shape.map((d, i) => {
        const v = d.add(begin[i]! + end[i]!);
        if (v.constValue() !== undefined && v.constValue()! <= 0) fail("MM3017", args.span("pads"), { value: v.constValue()! }, { hint: `padding removes all of dim ${i} (${d})` });
        return v;
      });
      // Backends get ONNX order: all begins, then all ends.
      return result(T(shape, x.dtype), { pads: [...begin, ...end], value: args.float("value") });
    },
  },
];
