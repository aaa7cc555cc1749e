// Runs each model of a program on both targets and asserts every output agrees with
// onnxruntime CPU (floats to 1e-3 relative to the output's largest value, ints and bools
// exactly). Shared by ops.test.ts and ops-layout.test.ts.
import { describe, expect, it } from "vitest";
import { compareWithOrt, compileProgram, dawnOrSkip, describeFailures } from "./harness.js";

const BIND = new Map([["B", 2], ["T", 3]]);

export async function opSuite(title: string, program: string, extraBind: ReadonlyMap<string, number> = new Map(),
  gemm?: "registers" | "tiled"): Promise<void> {
  const run = await dawnOrSkip(`the WebGPU op tests (${title})`);
  const models = compileProgram(program);
  const bind = new Map([...BIND, ...extraBind]);
  describe.skipIf(!run)(title, () => {
    for (const [name, c] of models) {
      it(name, async () => {
        const used = new Map([...bind].filter(([k]) => program.includes(k)));
        const r = await compareWithOrt(c.checked, c.sources, { bind: used, seed: 3, inputSeed: 11, ...(gemm ? { gemm } : {}) });
        expect(r.outputs.length).toBeGreaterThan(0);
        expect(describeFailures(r), `${name}`).toBe("");
      });
    }
  });
}
