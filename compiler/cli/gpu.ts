// A WebGPU device for the CLI: Dawn through runtime/node.ts (adapter fallback to SwiftShader
// included), imported only when a command needs it (the `webgpu` package is a native addon;
// `mm check` should not pay for loading it).
//
// Quiet by default: Dawn and the libraries below it write to stderr themselves (fd 2, past
// Node's streams), on every run of a machine without a desktop session or GPU. What they
// wrote, and what mm does about it:
// - "error: XDG_RUNTIME_DIR is invalid or not set in the environment." (twice): libwayland,
//   asked for a Wayland display by a Vulkan driver's window-system support, when the variable
//   is unset. mm points it at a private empty folder (removed at exit), where no display is
//   found without a word.
// - "Warning: Vulkan shaderUniform*ArrayDynamicIndexing required." and the loader's "Failed
//   to detect any valid GPUs": Dawn's first adapter search failing, before the SwiftShader
//   fallback. runtime/node.ts `offerSwiftShader` offers SwiftShader in the first search.
// `--verbose` leaves XDG_RUNTIME_DIR alone (so libwayland's lines show) and prints what mm
// set. (dawn.node's own `verbose=1` option is not used: it writes to stdout, which holds
// mm run's results.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Plan } from "../../runtime/plan.js";
import { PlanError, requiredLimits } from "../../runtime/runtime.js";

/** No usable WebGPU adapter (an environment problem: exit 2, with a hint). */
export class GpuUnavailable extends Error {}

export interface GpuDevice {
  readonly device: GPUDevice;
  /** The adapter, in words (vendor and driver). */
  readonly adapter: string;
  /** What mm set in the environment for Dawn, one line each (for --verbose). */
  readonly notes: readonly string[];
}

/** A Dawn device with the limits the plan needs. */
export async function dawnDevice(plan: Plan, verbose = false): Promise<GpuDevice> {
  const notes: string[] = [];
  if (!verbose && process.env.XDG_RUNTIME_DIR === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "mm-xdg-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    process.env.XDG_RUNTIME_DIR = dir;
  }
  let node: typeof import("../../runtime/node.js");
  try {
    node = await import("../../runtime/node.js");
  } catch (e) {
    throw new GpuUnavailable(`the webgpu package (Dawn) does not load here: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
  }
  const offered = node.offerSwiftShader();
  if (offered !== undefined) notes.push(offered);
  const icd = process.env.VK_ICD_FILENAMES;
  let adapter: GPUAdapter;
  try {
    adapter = await node.nodeAdapter();
  } catch (e) {
    if (e instanceof PlanError) throw new GpuUnavailable(e.message);
    throw e;
  }
  if (process.env.VK_ICD_FILENAMES !== icd) notes.push(`VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES} (no adapter in the first search)`);
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(plan, adapter) });
  return { device, adapter: node.describeAdapter(adapter), notes };
}
