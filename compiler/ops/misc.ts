// Identity-shaped ops that matter to training, not to shapes.
import type { OpDef } from "./op.js";
import { result, tensorParam } from "./util.js";

export const MISC_OPS: readonly OpDef[] = [
  {
    name: "stop_gradient", category: "misc", doc: "The identity, with no gradient flowing back (EMA targets, teacher outputs).",
    shapeRule: "x → x", params: [tensorParam("x")],
    infer: (args) => result(args.tensor("x")),
  },
  {
    name: "identity", category: "misc", doc: "Returns x unchanged.",
    shapeRule: "x → x", params: [tensorParam("x")],
    infer: (args) => result(args.tensor("x")),
  },
];
