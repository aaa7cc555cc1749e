// The pass registry and driver: passes are named, pure IrGraph → IrGraph rewrites, and the
// verifier runs after each, so a broken rewrite is caught where it happens.
import type { IrGraph } from "../ir.js";
import { IrError } from "../ir.js";
import { verifyIr } from "../verify.js";
import { cse } from "./cse.js";
import { deadValues } from "./dead-values.js";
import { foldConstants } from "./fold-constants.js";

export type Pass = (g: IrGraph) => IrGraph;

export const PASSES: Readonly<Record<string, Pass>> = {
  "dead-values": deadValues,
  "cse": cse,
  "fold-constants": foldConstants,
};

/** What backends run by default: prune, fold, merge, and prune what merging orphaned. */
export const DEFAULT_PIPELINE: readonly string[] = ["dead-values", "fold-constants", "cse", "dead-values"];

export function runPasses(g: IrGraph, names: readonly string[] = DEFAULT_PIPELINE): IrGraph {
  verifyIr(g, "build");
  let cur = g;
  for (const name of names) {
    const pass = PASSES[name];
    if (!pass) throw new IrError(`unknown pass '${name}' (passes: ${Object.keys(PASSES).join(", ")})`);
    cur = pass(cur);
    verifyIr(cur, name);
  }
  return cur;
}

export { cse, deadValues, foldConstants };
