// The pass registry and driver: passes are named, pure IrGraph → IrGraph rewrites. The
// verifier checks the graph a pipeline returns, so a backend never reads a broken graph
// (a broken graph from the tracer is caught there too, only not named); with MM_VERIFY_EACH=1 (the test suite sets it) it also runs after
// every pass, so a broken rewrite is named where it happens. Not by default: verifying after
// each of the four default passes was a fifth of a structure-only compile (like LLVM's
// -verify-each, a debugging aid, while the final verify stays on).
import type { IrGraph } from "../ir.js";
import { IrError } from "../ir.js";
import { VERIFY_EACH } from "../../base/debug.js";
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

/** `verify: false` leaves the result to a caller that verifies what it goes on to make of
 *  it (a backend's own rewrites), so one pipeline is verified once. */
export function runPasses(g: IrGraph, names: readonly string[] = DEFAULT_PIPELINE, opts: { readonly verify?: boolean } = {}): IrGraph {
  const last = opts.verify ?? true;
  if (VERIFY_EACH || (names.length === 0 && last)) verifyIr(g, "build");
  let cur = g;
  names.forEach((name, k) => {
    const pass = PASSES[name];
    if (!pass) throw new IrError(`unknown pass '${name}' (passes: ${Object.keys(PASSES).join(", ")})`);
    cur = pass(cur);
    if (VERIFY_EACH || (k === names.length - 1 && last)) verifyIr(cur, VERIFY_EACH ? name : `building and the passes ${names.join(", ")}`);
  });
  return cur;
}

export { cse, deadValues, foldConstants };
