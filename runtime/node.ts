// Node helpers: a GPUDevice from Dawn (the `webgpu` npm package) and plans read from a
// folder. Dawn uses the machine's Vulkan drivers. Where SwiftShader, the software Vulkan
// Debian's chromium ships, is installed and the process sets no Vulkan driver variable, it is
// offered beside the system's drivers from the start (offerSwiftShader); when Dawn still finds
// no adapter and VK_ICD_FILENAMES is unset, the adapter request points the loader at
// SwiftShader alone and asks again (older loaders). A real GPU is never overridden, and a
// process that sets the variables itself gets only what it set.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { create, globals } from "webgpu";
import type { Plan } from "./plan.js";
import { PlanError, PlanRunner, requiredLimits } from "./runtime.js";

export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

// Dawn's GPU objects must outlive their devices: a collected instance takes its device down
// with it (a hang or a crash), so every instance created is kept here.
const instances: GPU[] = [];

/** The Vulkan loader's variables that choose drivers: a process that sets any gets its choice. */
const DRIVER_VARS = ["VK_ICD_FILENAMES", "VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES", "VK_LOADER_DRIVERS_SELECT", "VK_LOADER_DRIVERS_DISABLE"];

/**
 * Offers SwiftShader beside the system's Vulkan drivers (VK_ADD_DRIVER_FILES, loader 1.3.234+)
 * and leaves Mesa's lavapipe out, where SwiftShader is installed and no driver variable is
 * set. Dawn sorts GPUs before CPU adapters, so a real GPU is still the one chosen; without
 * one, SwiftShader is found by the first search. That search no longer fails first, and its
 * failures were what Dawn printed on every run: lavapipe (Debian 12's fails Dawn's needs,
 * "Vulkan shaderUniform*ArrayDynamicIndexing required") and, with no device left, the loader's
 * "Failed to detect any valid GPUs". Returns what it set, in words, or undefined.
 */
export function offerSwiftShader(): string | undefined {
  if (instances.length || DRIVER_VARS.some((v) => process.env[v] !== undefined) || !existsSync(SWIFTSHADER_ICD)) return undefined;
  process.env.VK_ADD_DRIVER_FILES = SWIFTSHADER_ICD;
  process.env.VK_LOADER_DRIVERS_DISABLE = "*lvp_icd*";
  return `VK_ADD_DRIVER_FILES=${SWIFTSHADER_ICD} VK_LOADER_DRIVERS_DISABLE=*lvp_icd* (SwiftShader offered beside the system's Vulkan drivers, lavapipe left out)`;
}

/** Dawn's GPU object (the latest one created in this process). */
export function nodeGpu(): GPU {
  if (!instances.length) {
    Object.assign(globalThis, globals);
    offerSwiftShader();
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
