// `mm compile --target webgpu|ts` and `mm run`: plan folders (deterministic, atomic), --bind
// and --weights usage errors, TypeScript output, and one model run on both backends with
// comparable checksums. The Dawn run is a child process (`node bin/mm.js`, so `npm run
// build` first): the Vulkan loader reads VK_ICD_FILENAMES from the real environment, which a
// vitest worker thread cannot set. It skips loudly without an adapter, and fails under CI=true.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../../compiler/cli/main.js";
import { Session } from "../../compiler/driver/session.js";
import { project } from "../helpers.js";

const MODEL = `
model Small {
  param w: [6, 8] init normal(std: 0.5)
  param bias: [6] init normal(std: 0.5)
  param table: [10, 8] init normal(std: 1.0)
  input x: [B, 4, 8]
  input ids: [B, T] int64
  forward {
    output h = relu(linear(x, w, bias))
    output p = softmax(x @ x.T, axis: -1)
    output e = sum(embedding(ids, table), axes: [-1])
  }
}
`;
const proj = project({ "small.mm": MODEL });
const file = proj.path("small.mm");
afterAll(() => rmSync(proj.root, { recursive: true, force: true }));
const session = new Session();

function mm(...args: string[]): { code: number; out: string; err: string } {
  let out = "", err = "";
  const code = runCli(args, { out: (s) => (out += s), err: (s) => (err += s), color: false }, session);
  return { code, out, err };
}

async function mmAsync(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await runCliAsync(args, { out: (s) => (out += s), err: (s) => (err += s), color: false }, session);
  return { code, out, err };
}

/** `name [shape] dtype checksum SUM/ABS` lines of `mm run`. */
function outputs(text: string): Map<string, { shape: string; dtype: string; sum: number; abs: number }> {
  const m = new Map<string, { shape: string; dtype: string; sum: number; abs: number }>();
  for (const l of text.split("\n")) {
    const r = /^(\S+) \[([\d, ]*)\] (\w+) checksum (\S+)\/(\S+)$/.exec(l);
    if (r) m.set(r[1]!, { shape: r[2]!, dtype: r[3]!, sum: Number(r[4]), abs: Number(r[5]) });
  }
  return m;
}

describe("mm compile --target webgpu", () => {
  it("writes plan.json and weights.bin, byte-identical twice, and a one-line summary", () => {
    const [a, b] = [proj.path("a"), proj.path("b")];
    const r = mm("compile", file, "--target", "webgpu", "-o", a, "--bind", "B=2,T=3", "--seed", "4");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*: \d+ dispatches, \d+ kernels; arena .* \(lower bound .*, naive .*\), \d+ in place; weights .* \(random, seed 4\); dims B=2, T=3\n$/);
    expect(mm("compile", file, "--target", "webgpu", "-o", b, "--bind", "B=2", "--bind", "T=3", "--seed", "4").code).toBe(0);
    expect(readdirSync(a).sort()).toEqual(["plan.json", "weights.bin"]);
    for (const f of ["plan.json", "weights.bin"]) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
    const plan = JSON.parse(readFileSync(join(a, "plan.json"), "utf8")) as { bindings: Record<string, number> };
    expect(plan.bindings).toEqual({ B: 2, T: 3 });
  });

  it("asks for every symbolic dim (exit 2), and leaves no folder behind or an old one as it was", () => {
    const out = proj.path("missing");
    const r = mm("compile", file, "--target", "webgpu", "-o", out, "--bind", "B=2");
    expect(r.code).toBe(2);
    expect(r.err).toContain("--bind T=N");
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
    const kept = proj.path("kept");
    expect(mm("compile", file, "--target", "webgpu", "-o", kept, "--bind", "B=1,T=1").code).toBe(0);
    const before = readFileSync(join(kept, "plan.json"));
    expect(mm("compile", file, "--target", "webgpu", "-o", kept, "--bind", "B=2").code).toBe(2);
    expect(readFileSync(join(kept, "plan.json")).equals(before)).toBe(true);
    expect(readdirSync(proj.root).filter((f) => f.includes(".tmp"))).toEqual([]);
  });

  it("rejects --weights none, unknown dims, bad values and ONNX-only flags (exit 2)", () => {
    const base = ["compile", file, "--target", "webgpu", "-o", proj.path("bad")];
    const cases: [string[], RegExp][] = [
      [["--bind", "B=2,T=3", "--weights", "none"], /--weights none is not possible for --target webgpu/],
      [["--bind", "B=2,T=3,Q=4"], /no symbolic dim Q/],
      [["--bind", "B=0,T=3"], /NAME=N with N a positive integer/],
      [["--bind", "B=2,T=3", "--opset", "18"], /--opset is for --target onnx/],
      [["--bind", "B=2,T=3", "--weights", "zeros", "--seed", "1"], /--seed goes with --weights random/],
    ];
    for (const [extra, msg] of cases) {
      const r = mm(...base, ...extra);
      expect([extra.join(" "), r.code]).toEqual([extra.join(" "), 2]);
      expect(r.err).toMatch(msg);
    }
    expect(mm("compile", file, "-o", proj.path("x.onnx"), "--bind", "B=2").err).toContain("--bind is for --target webgpu and ts");
    expect(existsSync(proj.path("bad"))).toBe(false);
  });
});

describe("mm compile --target ts", () => {
  it("writes OUTDIR/<Model>.ts, OUTDIR/plan/ and OUTDIR/<Model>.onnx", async () => {
    const out = proj.path("ts");
    const r = await mmAsync("compile", file, "--target", "ts", "-o", out, "--bind", "B=2,T=3");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["Small.onnx", "Small.ts", "plan"]);
    expect(readdirSync(join(out, "plan")).sort()).toEqual(["plan.json", "weights.bin"]);
    expect(readFileSync(join(out, "Small.ts"), "utf8")).toContain("mm-lang/runtime");
  });

  it("is asynchronous: runCli refuses it (a caller's mistake, thrown)", () => {
    expect(() => mm("compile", file, "--target", "ts", "-o", proj.path("ts2"), "--bind", "B=2,T=3")).toThrow(/runCliAsync/);
    expect(() => mm("run", file)).toThrow(/runCliAsync/);
  });
});

describe("mm run", () => {
  it("rejects bad flags (exit 2)", async () => {
    for (const args of [["--backend", "cuda"], ["--runs", "3"], ["--inputs", "file.npy"], ["--bind", "Q=2"]]) {
      const r = await mmAsync("run", file, ...args);
      expect([args.join(" "), r.code]).toEqual([args.join(" "), 2]);
    }
  });

  it("prints the same shapes and checksums on webgpu (Dawn) as in onnxruntime", async () => {
    const ort = await mmAsync("run", file, "--backend", "onnxruntime", "--bind", "T=5", "--seed", "3");
    expect(ort.code).toBe(0);
    expect(ort.out).toContain("B=2 (default), T=5");
    const ref = outputs(ort.out);
    expect([...ref.keys()]).toEqual(["h", "p", "e"]);
    expect(ref.get("e")!.shape).toBe("2, 5");

    const bin = join(import.meta.dirname, "../../bin/mm.js");
    const gpu = spawnSync(process.execPath, [bin, "run", file, "--bind", "T=5", "--seed", "3", "--bench", "--runs", "2"], { encoding: "utf8", timeout: 170_000 });
    if (gpu.status === 2 && /no WebGPU adapter/.test(gpu.stderr) && process.env.CI !== "true") {
      console.warn(`SKIPPING the Dawn half of the mm run test: ${gpu.stderr.split("\n")[0]} (it fails instead when CI=true)`);
      return;
    }
    expect(gpu.stderr.split("\n").filter((l) => l.startsWith("mm:"))).toEqual([]);
    expect(gpu.status).toBe(0);
    expect(gpu.stdout).toMatch(/on webgpu \(/);
    expect(gpu.stdout).toMatch(/time: median [\d.]+ ms, min [\d.]+ ms over 2 run\(s\)/);
    const got = outputs(gpu.stdout);
    expect([...got.keys()]).toEqual([...ref.keys()]);
    for (const [name, r] of ref) {
      const g = got.get(name)!;
      expect([name, g.shape, g.dtype]).toEqual([name, r.shape, r.dtype]);
      expect(Math.abs(g.sum - r.sum), name).toBeLessThanOrEqual(1e-3 * Math.max(1, r.abs));
      expect(Math.abs(g.abs - r.abs), name).toBeLessThanOrEqual(1e-3 * Math.max(1, r.abs));
    }
  }, 180_000);
});
