// The runtime's typed errors: a plan that is not a plan, weights of the wrong size, a plan
// beyond the device's limits (checked before anything is created), and bad inputs.
import { compileToWebGpu } from "../../../compiler/driver/compile.js";
import { describe, expect, it } from "vitest";
import { checkLimits, PlanError, PlanRunner, requiredLimits } from "../../../runtime/runtime.js";
import type { Plan } from "../../../runtime/plan.js";
import { compileProgram, dawnOrSkip, sharedDevice } from "./harness.js";

const m = compileProgram(`
model M {
  input x: [B, 8]
  param w: [8, 8] init normal(std: 0.1)
  forward {
    output y = gelu(matmul(x, w))
  }
}
`).get("M")!;
const r = compileToWebGpu(m.checked, { bind: new Map([["B", 2]]), weights: { random: 0 } });

const LIMITS = {
  maxBufferSize: 268435456, maxStorageBufferBindingSize: 134217728, maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupsPerDimension: 65535, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
} as unknown as GPUSupportedLimits;

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (e instanceof PlanError) return `${e.code}: ${e.message}`;
    throw e;
  }
  return "no error";
}

describe("runtime errors", () => {
  it("checks the device's limits before creating anything", async () => {
    expect(await codeOf(() => checkLimits(r.plan, LIMITS))).toBe("no error");
    const small = { ...LIMITS, maxStorageBufferBindingSize: 16 } as unknown as GPUSupportedLimits;
    expect(await codeOf(() => checkLimits(r.plan, small))).toMatch(/^limits: .* needs maxStorageBufferBindingSize >= \d+; this device has 16/);
    const device = { limits: small } as unknown as GPUDevice;
    expect(await codeOf(PlanRunner.create(device, r.plan, r.weights))).toMatch(/^limits: /);
  });

  it("asks the adapter for the limits a plan needs, and says when it lacks them", async () => {
    const big: Plan = { ...r.plan, limits: { maxBufferSize: 2 ** 40 } };
    expect(requiredLimits(r.plan, { limits: LIMITS })).toEqual({});
    expect(await codeOf(() => requiredLimits(big, { limits: LIMITS }))).toMatch(/^limits: the plan needs maxBufferSize = 1099511627776/);
  });

  it("rejects what is not a plan of this version, and weights of the wrong size", async () => {
    const device = { limits: LIMITS } as unknown as GPUDevice;
    expect(await codeOf(PlanRunner.create(device, { ...r.plan, format: "x" } as unknown as Plan, r.weights))).toMatch(/^format: not an mm WebGPU plan/);
    expect(await codeOf(PlanRunner.create(device, { ...r.plan, version: 99 }, r.weights))).toMatch(/^format: plan version 99/);
    expect(await codeOf(PlanRunner.create(device, r.plan, r.weights.subarray(4)))).toMatch(/^format: weights.bin has \d+ bytes; the plan expects/);
    // Fills (version 2): within the buffer and the file, and not in a version-1 plan.
    const w = r.plan.buffers.findIndex((b) => b.kind === "weights");
    const withFill = (version: number, fill: { offset: number; size: number; fileOffset: number; from?: "float16" }): Plan => ({
      ...r.plan, version, buffers: r.plan.buffers.map((b, i) => (i === w ? { name: b.name, kind: b.kind, size: b.size, fills: [fill] } : b)),
    });
    const size = r.plan.buffers[w]!.size;
    expect(await codeOf(PlanRunner.create(device, withFill(1, { offset: 0, size: 4, fileOffset: 0 }), r.weights))).toMatch(/^format: weights buffer \S+ has fills, which need plan version 2/);
    expect(await codeOf(PlanRunner.create(device, withFill(2, { offset: size - 4, size: 8, fileOffset: 0 }), r.weights))).toMatch(/^format: weights buffer \S+: a fill at/);
    expect(await codeOf(PlanRunner.create(device, withFill(2, { offset: 0, size: 8, fileOffset: r.plan.weightsSize - 2, from: "float16" }), r.weights))).toMatch(/^format: weights buffer \S+: a fill at/);
  });

  it("names a missing, unknown or wrongly sized input", async () => {
    if (!(await dawnOrSkip("the runtime input-error test"))) return;
    const runner = await PlanRunner.create(await sharedDevice(), r.plan, r.weights);
    expect(await codeOf(runner.run({}))).toBe("input: missing input 'x' [2, 8] float32");
    expect(await codeOf(runner.run({ x: new Float32Array(16), z: new Float32Array(1) }))).toMatch(/^input: the plan has no input 'z'/);
    expect(await codeOf(runner.run({ x: new Float32Array(3) }))).toBe("input: input 'x' has 3 values; its shape [2, 8] needs 16");
    const out = await runner.run({ x: new Float32Array(16).fill(1) });
    expect(out.y!.shape).toEqual([2, 8]);
    runner.destroy();
  });
});
