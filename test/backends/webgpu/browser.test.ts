// The runtime in a real browser: a tiny CLIP plan runs on headless Chromium's WebGPU
// (SwiftShader) from an esbuild bundle of runtime/index.ts, and its checksum equals the
// same plan's on Dawn in Node with the same inputs.
import { compileToWebGpu } from "../../../compiler/driver/compile.js";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { symbolsToBind, writePlanDir } from "../../../compiler/backends/webgpu/index.js";
import { irFromChecked } from "../../../compiler/driver/build-ir.js";
import { Session } from "../../../compiler/driver/session.js";
import { heavyLock, leanChromium } from "../../heavy-lock.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const SWIFTSHADER = "/usr/lib/chromium/vk_swiftshader_icd.json";
const ci = process.env.CI === "true";
const REPORT_WITHIN_S = 120; // a guard, not a measurement: SwiftShader compiles every kernel with LLVM
if (!CHROMIUM && !ci) console.warn("SKIPPING the browser WebGPU test: no /usr/bin/chromium (it fails instead when CI=true)");

// Loaded by the page and imported by Node: the same inputs on both sides (mulberry32).
const INPUTS_JS = `export function makeInputs(plan) {
  let s = 20240601;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const inputs = {};
  for (const t of plan.inputs) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    inputs[t.name] = t.dtype === "float32" ? Float32Array.from({ length: n }, () => 2 * rand() - 1)
      : t.dtype === "bool" ? Uint8Array.from({ length: n }, () => 1) : Int32Array.from({ length: n }, () => Math.floor(rand() * 2));
  }
  return inputs;
}
`;

const NODE_RUN = `import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PlanRunner, checksum, nodeDevice, readPlanDir } from "./runtime-node.js";
import { makeInputs } from "./inputs.js";
const { plan, weights } = readPlanDir(fileURLToPath(new URL("./plan", import.meta.url)));
const device = await nodeDevice(plan);
const runner = await PlanRunner.create(device, plan, weights);
writeFileSync(new URL("./checksum.txt", import.meta.url), checksum(await runner.run(makeInputs(plan))));
device.destroy();
`;

const PAGE = `<!DOCTYPE html><html><body><script type="module">
const post = (body) => fetch("/result", { method: "POST", body: JSON.stringify(body) });
addEventListener("error", (e) => post({ error: "page error: " + e.message }));
try {
  const { PlanRunner, checksum, requiredLimits } = await import("./runtime.js");
  const { makeInputs } = await import("./inputs.js");
  const plan = await (await fetch("plan/plan.json")).json();
  const weights = await (await fetch("plan/weights.bin")).arrayBuffer();
  if (!navigator.gpu) throw new Error("no navigator.gpu (is WebGPU enabled?)");
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error("navigator.gpu.requestAdapter() gave no adapter");
  const device = await adapter.requestDevice({ requiredLimits: requiredLimits(plan, adapter) });
  const runner = await PlanRunner.create(device, plan, weights);
  const out = await runner.run(makeInputs(plan));
  await post({ checksum: checksum(out), adapter: adapter.info.vendor + "/" + adapter.info.architecture });
} catch (e) {
  await post({ error: String((e && e.stack) || e) });
}
</script></body></html>`;

interface PageResult {
  readonly checksum?: string;
  readonly adapter?: string;
  readonly error?: string;
}

const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".json": "application/json", ".bin": "application/octet-stream" };

/** Serves `dir` and resolves with the page's POST to /result. */
function serve(dir: string, onResult: (r: PageResult) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST" && url.pathname === "/result") {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        res.end();
        onResult(JSON.parse(body) as PageResult);
      });
      return;
    }
    const file = join(dir, url.pathname === "/" ? "index.html" : url.pathname);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": TYPES[/\.\w+$/.exec(file)?.[0] ?? ""] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((done) => server.listen(0, "127.0.0.1", () => done(server)));
}

/** Runs the page in headless Chromium; kills it (its whole process group) whatever happens. */
async function inChromium(dir: string): Promise<PageResult> {
  let report: (r: PageResult) => void = () => {};
  const result = new Promise<PageResult>((done) => (report = done));
  const server = await serve(dir, (r) => report(r));
  const profile = mkdtempSync(join(tmpdir(), "mm-chromium-"));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const release = await heavyLock();
  const chromium = spawn(CHROMIUM!, ["--headless=new", "--no-sandbox", "--enable-unsafe-webgpu", ...leanChromium(["Vulkan"]), "--use-angle=swiftshader",
    "--use-webgpu-adapter=swiftshader", "--disable-gpu-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", `--user-data-dir=${profile}`, url], { detached: true, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  chromium.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  let timer: NodeJS.Timeout | undefined;
  try {
    const exited = new Promise<never>((_, fail) => chromium.on("exit", (code) => fail(new Error(`Chromium exited (${code}) before the page reported; stderr:\n${stderr}`))));
    const timeout = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`the page did not report within ${REPORT_WITHIN_S} s; Chromium's stderr:\n${stderr}`)), REPORT_WITHIN_S * 1000);
    });
    return await Promise.race([result, exited, timeout]);
  } finally {
    clearTimeout(timer);
    if (chromium.exitCode === null && chromium.pid !== undefined) process.kill(-chromium.pid, "SIGKILL");
    release();
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describe("the runtime in a browser", () => {
  it.skipIf(!CHROMIUM && !ci)("runs a CLIP plan on Chromium's WebGPU with the same checksum as Dawn in Node", async () => {
    expect(CHROMIUM, "chromium is required when CI=true").toBeDefined();
    const session = new Session();
    const std = session.stdlib();
    const ref = session.models(std).find((m) => m.name === "CLIP_ViT_B32_Tiny")!;
    const checked = session.compile(ref, std).checked!;
    const bind = new Map(symbolsToBind(irFromChecked(checked, {})).map((s) => [s, 2] as const));
    const compiled = compileToWebGpu(checked, { bind, weights: { random: 1 } });

    // Inside the repo: its package.json makes the .js files ESM and resolves "webgpu".
    mkdirSync(join(ROOT, "test/.tmp"), { recursive: true });
    const dir = mkdtempSync(join(ROOT, "test/.tmp/browser-"));
    try {
      writePlanDir(join(dir, "plan"), compiled);
      buildSync({ entryPoints: [join(ROOT, "runtime/index.ts")], bundle: true, format: "esm", platform: "browser", target: "es2022", outfile: join(dir, "runtime.js"), logLevel: "warning" });
      writeFileSync(join(dir, "inputs.js"), INPUTS_JS);
      writeFileSync(join(dir, "index.html"), PAGE);

      const page = await inChromium(dir);
      expect(page.error, "the page failed").toBeUndefined();
      expect(page.adapter).toBe("google/swiftshader");

      // The same plan files and inputs module on Dawn, in a child process: Vulkan reads
      // VK_ICD_FILENAMES from the real environment, which a worker thread cannot set.
      buildSync({
        stdin: { contents: 'export * from "./runtime/index.ts";\nexport * from "./runtime/node.ts";\n', resolveDir: ROOT, loader: "ts" },
        bundle: true, format: "esm", platform: "node", target: "node20", external: ["webgpu"], outfile: join(dir, "runtime-node.js"), logLevel: "warning",
      });
      writeFileSync(join(dir, "node-run.js"), NODE_RUN);
      const vulkan = process.env.VK_ICD_FILENAMES ?? (existsSync(SWIFTSHADER) ? SWIFTSHADER : undefined);
      const r = spawnSync(process.execPath, [join(dir, "node-run.js")], { encoding: "utf8", env: { ...process.env, ...(vulkan ? { VK_ICD_FILENAMES: vulkan } : {}) }, timeout: 300_000 });
      expect(r.status, `the Node run failed:\n${r.stdout}${r.stderr}`).toBe(0);
      const node = readFileSync(join(dir, "checksum.txt"), "utf8");
      console.log(`browser (${page.adapter}) checksum: ${page.checksum}\nnode (Dawn) checksum:                ${node}`);
      expect(node).toMatch(/^image_embeds:\S+ text_embeds:/);
      expect(node).not.toMatch(/NaN|Infinity/);
      expect(page.checksum).toBe(node);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 400_000);
});
