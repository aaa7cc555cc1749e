// The graph IR: its types, the IR model backends read, verification, named passes. The
// driver builds it from a checked model (driver/build-ir.ts, driver/ir-model.ts).
export * from "./ir.js";
export * from "./model.js";
export { verifyIr } from "./verify.js";
export { DEFAULT_PIPELINE, PASSES, runPasses, type Pass } from "./passes/index.js";
