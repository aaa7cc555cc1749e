// Coverage of the op table by the WebGPU target and by its tests: every op has a map op,
// a kernel generator or a decomposition, and every op appears in some model of the op
// tests (so a new op cannot be forgotten on either side). Needs no GPU.
import { describe, expect, it } from "vitest";
import { DECOMPOSABLE } from "../../../compiler/ir/passes/decompose.js";
import { KERNEL_GENS, MAP_OPS } from "../../../compiler/backends/webgpu/kernels/registry.js";
import { irFromChecked } from "../../../compiler/driver/build-ir.js";
import { opNames } from "../../../compiler/ops/index.js";
import { compileProgram } from "./harness.js";
import { ELEMENTWISE, LINALG, REDUCTIONS } from "./programs-core.js";
import { LAYOUT } from "./programs-layout.js";

describe("webgpu op coverage", () => {
  it("has a map op, a kernel or a decomposition for every op of the op table", () => {
    expect(opNames().filter((op) => !MAP_OPS[op] && !KERNEL_GENS[op] && !DECOMPOSABLE.includes(op))).toEqual([]);
  });

  it("exercises every op of the op table in the op tests", () => {
    const used = new Set<string>();
    for (const program of [ELEMENTWISE, REDUCTIONS, LINALG, LAYOUT]) {
      for (const c of compileProgram(program).values()) for (const n of irFromChecked(c.checked, {}).nodes) used.add(n.op);
    }
    expect(opNames().filter((op) => !used.has(op))).toEqual([]);
  });
});
