// `mm run` on Dawn prints nothing on stderr but mm's own lines: Dawn and the libraries below
// it (libwayland's "XDG_RUNTIME_DIR is invalid or not set", Dawn's "Warning: Vulkan ..." from
// a first adapter search that failed, the Vulkan loader's "Failed to detect any valid GPUs")
// wrote to fd 2 on every run of a machine without a desktop session or GPU; `--verbose` shows
// them again (compiler/cli/gpu.ts). A child process with the environment of such a machine:
// no XDG_RUNTIME_DIR, no Vulkan driver variable. Skips loudly without an adapter or without
// the webgpu package; fails instead under CI=true.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { project } from "../helpers.js";

const BIN = join(import.meta.dirname, "../../bin/mm.js");
const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";
const proj = project({ "tiny.mm": "model Tiny {\n  param w: [3, 4]\n  input x: [B, 4]\n  forward {\n    output y = softmax(linear(x, w, none), axis: -1)\n  }\n}\n" });
const tmp = mkdtempSync(join(tmpdir(), "mm-quiet-"));
afterAll(() => {
  rmSync(proj.root, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/** The machine's environment without the variables a desktop session or a test would set. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: tmp };
  for (const v of ["XDG_RUNTIME_DIR", "WAYLAND_DISPLAY", "DISPLAY", "VK_ICD_FILENAMES", "VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES", "VK_LOADER_DRIVERS_SELECT", "VK_LOADER_DRIVERS_DISABLE"]) delete env[v];
  return env;
}

function run(...flags: string[]): { status: number | null; stdout: string; stderr: string } | undefined {
  const r = spawnSync(process.execPath, [BIN, "run", proj.path("tiny.mm"), ...flags], { encoding: "utf8", env: bareEnv(), timeout: 120_000 });
  if (r.status === 2 && /no WebGPU adapter|does not load here/.test(r.stderr) && process.env.CI !== "true") {
    console.warn(`SKIPPING test/cli/webgpu-quiet.test.ts: ${r.stderr.split("\n")[0]} (it fails instead when CI=true)`);
    return undefined;
  }
  return r;
}

const NOISE = /XDG_RUNTIME_DIR|Vulkan|Loader Message|vkEnumeratePhysicalDevices|^Warning:|^error:/m;

describe("mm run on Dawn", () => {
  it("keeps stderr empty, and leaves no folder behind", () => {
    const r = run();
    if (!r) return;
    expect(r.stderr).not.toMatch(NOISE);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Tiny on webgpu \(/);
    expect(readdirSync(tmp)).toEqual([]); // the private XDG_RUNTIME_DIR is removed at exit
  }, 130_000);

  it("--verbose says what mm set for Dawn, and the output is the same", () => {
    const quiet = run();
    const r = run("--verbose");
    if (!quiet || !r) return;
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(quiet.stdout);
    if (existsSync(SWIFTSHADER_ICD)) expect(r.stderr).toContain(`mm: run: VK_ADD_DRIVER_FILES=${SWIFTSHADER_ICD}`);
    // what Dawn and libwayland print is theirs to decide; it is shown, never turned into an error
    expect(r.stderr.split("\n").filter((l) => l.startsWith("mm:") && !l.startsWith("mm: run: VK_"))).toEqual([]);
  }, 130_000);
});
