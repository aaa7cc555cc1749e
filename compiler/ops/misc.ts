// Identity-shaped ops that matter to training, not to shapes.
import type { OpDef } from "./op.js";
import { needDType, needShape, result, tensorParam } from "./util.js";

export const MISC_OPS: readonly OpDef[] = [
  {
    name: "stop_gradient", category: "misc", doc: "The identity, with no gradient flowing back (EMA targets, teacher outputs).",
    shapeRule: "x → x", params: [tensorParam("x")],
    infer: (args) => result(args.tensor("x")),
  },
  {
    name: "update_buffer", category: "misc",
    doc: "Training mode: the new value of a buffer (running statistics). Returns value; the graph gets an output `<buffer path>.updated`.",
    shapeRule: "buffer [d...], value [d...] → value", params: [tensorParam("buffer"), tensorParam("value")],
    infer(args) {
      const b = args.tensor("buffer"), v = args.tensor("value");
      needShape(args, "value", "the new value of a buffer", b.shape, v.shape);
      needDType(args, "value", v, b.dtype, "the new value of a buffer");
      return result(v);
    },
  },
  {
    name: "identity", category: "misc", doc: "Returns x unchanged.",
    shapeRule: "x → x", params: [tensorParam("x")],
    infer: (args) => result(args.tensor("x")),
  },
];
