// A WebGPU device for the CLI: Dawn through runtime/node.ts (adapter fallback to SwiftShader
// included), imported only when a command needs it (the `webgpu` package is a native addon;
// `mm check` should not pay for loading it).
import type { Plan } from "../../runtime/plan.js";
import { PlanError, requiredLimits } from "../../runtime/runtime.js";

/** No usable WebGPU adapter (an environment problem: exit 2, with a hint). */
export class GpuUnavailable extends Error {}

export interface GpuDevice {
  readonly device: GPUDevice;
  /** The adapter, in words (vendor and driver). */
  readonly adapter: string;
}

/** A Dawn device with the limits the plan needs. */
export async function dawnDevice(plan: Plan): Promise<GpuDevice> {
  let node: typeof import("../../runtime/node.js");
  try {
    node = await import("../../runtime/node.js");
  } catch (e) {
    throw new GpuUnavailable(`the webgpu package (Dawn) does not load here: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  let adapter: GPUAdapter;
  try {
    adapter = await node.nodeAdapter();
  } catch (e) {
    if (e instanceof PlanError) throw new GpuUnavailable(e.message);
    throw e;
  }
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(plan, adapter) });
  return { device, adapter: node.describeAdapter(adapter) };
}
