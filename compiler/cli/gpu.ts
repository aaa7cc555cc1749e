// A WebGPU device for the CLI: Dawn through the `webgpu` package, imported only when a
// command needs it (it is a native addon; `mm check` should not pay for loading it).
//
// Dawn uses the machine's Vulkan drivers. When it finds none it can use (no GPU, or only
// drivers Dawn rejects, such as Debian's lavapipe), and VK_ICD_FILENAMES is unset, we point
// it at SwiftShader, the software Vulkan that Debian's chromium ships, and ask again; a
// real GPU is never overridden. A process that sets VK_ICD_FILENAMES itself gets only that.
import { existsSync } from "node:fs";
import type { Plan } from "../../runtime/plan.js";
import { requiredLimits } from "../../runtime/runtime.js";

export const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** No usable WebGPU adapter (an environment problem: exit 2, with a hint). */
export class GpuUnavailable extends Error {}

const NO_ADAPTER = "no WebGPU adapter: Dawn found no Vulkan driver it can use. Without a GPU, install a software one " +
  `(Debian: \`apt install chromium\` ships SwiftShader) and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`;

// Dawn's GPU objects must outlive their devices: a collected instance takes its device down
// with it (a hang or a crash), so every instance created is kept here.
const instances: GPU[] = [];

export interface GpuDevice {
  readonly device: GPUDevice;
  /** The adapter, in words (vendor and driver). */
  readonly adapter: string;
}

/** A Dawn device with the limits the plan needs. */
export async function dawnDevice(plan: Plan): Promise<GpuDevice> {
  let mod: typeof import("webgpu");
  try {
    mod = await import("webgpu");
  } catch (e) {
    throw new GpuUnavailable(`the webgpu package (Dawn) does not load here: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  Object.assign(globalThis, mod.globals);
  const instance = (): GPU => {
    const gpu = mod.create([]);
    instances.push(gpu);
    return gpu;
  };
  let adapter = await (instances.at(-1) ?? instance()).requestAdapter();
  if (!adapter && process.env.VK_ICD_FILENAMES === undefined && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    adapter = await instance().requestAdapter();
  }
  if (!adapter) throw new GpuUnavailable(NO_ADAPTER);
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(plan, adapter) });
  const info = adapter.info;
  return { device, adapter: [info.vendor, info.description || info.architecture].filter(Boolean).join(" ") || "unknown adapter" };
}
