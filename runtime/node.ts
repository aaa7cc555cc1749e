// Node helpers: a GPUDevice from Dawn (the `webgpu` npm package) and plans read from a
// folder. Without a GPU, point Dawn at a software Vulkan driver, e.g. SwiftShader:
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { create, globals } from "webgpu";
import type { Plan } from "./plan.js";
import { PlanError, PlanRunner, requiredLimits } from "./runtime.js";

let gpu: GPU | undefined;

/** Dawn's GPU object (created once per process). */
export function nodeGpu(): GPU {
  if (!gpu) {
    Object.assign(globalThis, globals);
    gpu = create([]) as GPU;
  }
  return gpu;
}

/** A device with the limits the plan needs; a PlanError("device") when there is no adapter. */
export async function nodeDevice(plan?: Plan): Promise<GPUDevice> {
  const adapter = await nodeGpu().requestAdapter();
  if (!adapter) {
    throw new PlanError("device", "no WebGPU adapter: Dawn found no Vulkan driver. Without a GPU, install a software one " +
      "(Debian: chromium ships SwiftShader) and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json");
  }
  return adapter.requestDevice(plan ? { requiredLimits: requiredLimits(plan, adapter) } : {});
}

export function readPlanDir(dir: string): { plan: Plan; weights: Uint8Array } {
  const plan = JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")) as Plan;
  return { plan, weights: readFileSync(join(dir, "weights.bin")) };
}

/** Loads a plan folder onto a fresh Dawn device. */
export async function loadPlanDir(dir: string): Promise<PlanRunner> {
  const { plan, weights } = readPlanDir(dir);
  return PlanRunner.create(await nodeDevice(plan), plan, weights);
}
