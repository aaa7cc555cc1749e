// Layout ops that keep every element: reshape, axis moves, unit dims, broadcasting views.
import { Dim, numel } from "../base/dims.js";
import { formatShape } from "../base/tensor.js";
import { fail } from "../diagnostics/diagnostic.js";
import type { OpDef } from "./op.js";
import { T, broadcastTo, constInts, constShape, needPositive, normAxis, result, tensorParam } from "./util.js";

const MINUS_ONE = Dim.const(-1);

export const SHAPE_OPS: readonly OpDef[] = [
  {
    name: "reshape", category: "shape",
    doc: "Views x with a new shape of the same element count; one dim may be -1 (inferred).",
    shapeRule: "[d...] → shape, numel(shape) = numel(x) (checked symbolically)",
    params: [tensorParam("x"), { name: "shape", kind: "ints", doc: "the new dims; at most one -1" }],
    infer(args) {
      const x = args.tensor("x");
      const dims = args.ints("shape");
      const holes = dims.flatMap((d, i) => (d.equals(MINUS_ONE) ? [i] : []));
      if (holes.length > 1) fail("MM3018", args.span("shape"), { what: "reshape shape", expected: "at most one -1", actual: formatShape(dims) });
      dims.forEach((d) => { if (!d.equals(MINUS_ONE)) needPositive(args, "shape", d); });
      const n = numel(x.shape);
      const known = numel(dims.filter((_, i) => i !== holes[0]));
      const hint = `the input has ${n} elements`;
      let out = dims;
      if (holes.length === 1) {
        const q = n.exactDiv(known);
        if (q === undefined) fail("MM4005", args.span("shape"), { from: formatShape(x.shape), n: n.toString(), to: formatShape(dims), m: `a multiple of ${known}` }, { hint });
        out = dims.map((d, i) => (i === holes[0] ? q : d));
      } else if (!n.equals(known)) {
        fail("MM4005", args.span("shape"), { from: formatShape(x.shape), n: n.toString(), to: formatShape(dims), m: known.toString() }, { hint });
      }
      return result(T(out, x.dtype), { shape: constShape(out) });
    },
  },
  {
    name: "transpose", category: "shape", doc: "Swaps two axes (x.T swaps the last two).",
    shapeRule: "[..., da, ..., db, ...] → [..., db, ..., da, ...]",
    params: [tensorParam("x"), { name: "a", kind: "int", default: -2 }, { name: "b", kind: "int", default: -1 }],
    infer(args) {
      const x = args.tensor("x");
      const r = x.shape.length;
      const a = normAxis(args, "a", r), b = normAxis(args, "b", r);
      const perm = Array.from({ length: r }, (_, i) => (i === a ? b : i === b ? a : i));
      return result(T(perm.map((p) => x.shape[p]!), x.dtype), { perm });
    },
  },
  {
    name: "permute", category: "shape", doc: "Reorders all axes: output axis i is input axis perm[i].",
    shapeRule: "[d0, ..., dn] → [d[perm[0]], ..., d[perm[n]]]",
    params: [tensorParam("x"), { name: "perm", kind: "ints" }],
    infer(args) {
      const x = args.tensor("x");
      const r = x.shape.length;
      const given = constInts(args, "perm");
      if (given.length !== r)
        fail("MM4008", args.span("x"), { what: `permute with ${given.length} axes`, expected: given.length, actual: r, shape: formatShape(x.shape) });
      const perm = given.map((p) => normAxis(args, "perm", r, p));
      if (new Set(perm).size !== r)
        fail("MM3018", args.span("perm"), { what: "'perm'", expected: `a permutation of 0..${r - 1}`, actual: `[${given.join(", ")}]` });
      return result(T(perm.map((p) => x.shape[p]!), x.dtype), { perm });
    },
  },
  {
    name: "flatten", category: "shape", doc: "Merges axes start..end (inclusive) into one.",
    shapeRule: "[a..., d_start, ..., d_end, b...] → [a..., d_start * ... * d_end, b...]",
    params: [tensorParam("x"), { name: "start", kind: "int", default: 0 }, { name: "end", kind: "int", default: -1 }],
    infer(args) {
      const x = args.tensor("x");
      if (x.shape.length === 0) return result(T([Dim.ONE], x.dtype), { start: 0, end: 0 });
      const r = x.shape.length;
      const s = normAxis(args, "start", r), e = normAxis(args, "end", r);
      if (s > e) fail("MM3018", args.span("end"), { what: "flatten", expected: "start <= end", actual: `start ${s}, end ${e}` });
      const shape = [...x.shape.slice(0, s), numel(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
      return result(T(shape, x.dtype), { start: s, end: e });
    },
  },
  {
    name: "unsqueeze", category: "shape", doc: "Inserts a unit dim at axis (an axis of the output).",
    shapeRule: "[d...] → [d..., 1 inserted at axis, ...]",
    params: [tensorParam("x"), { name: "axis", kind: "int" }],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length, args.num("axis"), true);
      return result(T([...x.shape.slice(0, axis), Dim.ONE, ...x.shape.slice(axis)], x.dtype), { axis });
    },
  },
  {
    name: "squeeze", category: "shape", doc: "Removes a unit dim at axis; the dim must be 1.",
    shapeRule: "[..., 1, ...] → [..., ...]",
    params: [tensorParam("x"), { name: "axis", kind: "int" }],
    infer(args) {
      const x = args.tensor("x");
      const axis = normAxis(args, "axis", x.shape.length);
      const d = x.shape[axis]!;
      if (!d.equals(Dim.ONE))
        fail("MM4001", args.span("axis"), { what: `squeeze axis ${axis} of ${formatShape(x.shape)}`, expected: "1", actual: d.toString() });
      return result(T(x.shape.filter((_, i) => i !== axis), x.dtype), { axis });
    },
  },
  {
    name: "expand", category: "shape", doc: "Broadcasts x to a shape (broadcast_to); -1 keeps a dim of x.",
    shapeRule: "[d...] → shape, where each d equals its target dim or is 1",
    params: [tensorParam("x"), { name: "shape", kind: "ints" }],
    infer(args) {
      const x = args.tensor("x");
      const target = args.ints("shape");
      const off = target.length - x.shape.length;
      if (off < 0)
        fail("MM4008", args.span("x"), { what: `expand to ${formatShape(target)}`, expected: `at most ${target.length}`, actual: x.shape.length, shape: formatShape(x.shape) });
      const out = target.map((t, i) => {
        if (!t.equals(MINUS_ONE)) return (needPositive(args, "shape", t), t);
        if (i < off) fail("MM3017", args.span("shape"), { value: -1 }, { hint: "-1 keeps an existing dim; new leading dims need a size" });
        return x.shape[i - off]!;
      });
      broadcastTo(args, "x", x.shape, out, "each dim of x must equal the target dim or be 1");
      return result(T(out, x.dtype), { shape: constShape(out) });
    },
  },
];
