// The graph IR: build from a checked model, verify, rewrite with named passes.
export * from "./ir.js";
export { irFromChecked, SelectionError, type Selection } from "./from-checked.js";
export { verifyIr } from "./verify.js";
export { DEFAULT_PIPELINE, PASSES, runPasses, type Pass } from "./passes/index.js";
