// Node helpers: a GPUDevice from Dawn (the `webgpu` npm package) and plans read from a
// folder. Dawn uses the machine's Vulkan drivers. When it finds none it can use (no GPU, or
// only drivers Dawn rejects, such as Debian's lavapipe) and VK_ICD_FILENAMES is unset, the
// adapter request points it at SwiftShader, the software Vulkan Debian's chromium ships, and
// asks again; a real GPU is never overridden, and a process that sets the variable itself
// gets only that.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { create, globals } from "webgpu";
import type { Plan } from "./plan.js";
import { PlanError, PlanRunner, requiredLimits } from "./runtime.js";

export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

// Dawn's GPU objects must outlive their devices: a collected instance takes its device down
// with it (a hang or a crash), so every instance created is kept here.
const instances: GPU[] = [];

/** Dawn's GPU object (the latest one created in this process). */
export function nodeGpu(): GPU {
  if (!instances.length) {
    Object.assign(globalThis, globals);
    instances.push(create([]) as GPU);
  }
  return instances.at(-1)!;
}

/** An adapter, with the SwiftShader fallback; a PlanError("device") with a hint when none. */
export async function nodeAdapter(): Promise<GPUAdapter> {
  let adapter = await nodeGpu().requestAdapter();
  if (!adapter && process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    instances.push(create([]) as GPU);
    adapter = await nodeGpu().requestAdapter();
  }
  if (!adapter) {
    throw new PlanError("device", "no WebGPU adapter: Dawn found no Vulkan driver it can use. Without a GPU, install a software one " +
      `(Debian: \`apt install chromium\` ships SwiftShader) and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`);
  }
  return adapter;
}

/** The adapter in words (vendor and driver). */
export function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  return [info.vendor, info.description || info.architecture].filter(Boolean).join(" ") || "unknown adapter";
}

/** A device with the limits the plan needs. */
export async function nodeDevice(plan?: Plan): Promise<GPUDevice> {
  const adapter = await nodeAdapter();
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
