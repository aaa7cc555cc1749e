// Fidelity: each stdlib family against an independent PyTorch reference (test/fidelity/refs/,
// written from the official repositories' code, with their state-dict names). For every tiny
// model a reference lists, mm's graph runs in onnxruntime with seeded weights (parameters
// that initialise to a constant are perturbed, so a wrong name cannot hide behind equal
// values) and seeded inputs; the weights, inputs and outputs go to one safetensors bundle
// per model; one Python process (torch's import alone takes over a second) loads each
// bundle's weights into the reference strictly (every key on both sides, equal shapes),
// runs it on the same inputs and compares every output and loss to 1e-4 of its scale. A
// negative control per model (the reference with one small deliberate change, such as an
// eps or an activation) must fail the same comparison: the test can see small differences.
//
// MM_FIDELITY=clip,blip (families: refs/<family>.py) or model names runs a subset.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileToOnnx } from "../../compiler/backends/onnx/index.js";
import { weightBytes } from "../../compiler/backends/onnx/weights.js";
import { mulberry32 } from "../../compiler/backends/onnx/weights.js";
import { Session } from "../../compiler/driver/session.js";
import type { IrParam } from "../../compiler/ir/ir.js";
import { defaultBindings, randomInputs } from "../../compiler/tools/inputs.js";
import { writeBundle, type BundleTensor } from "./bundle.js";

const REFS = join(import.meta.dirname, "refs");
const PYTHON = "/usr/bin/python3";

interface Case { readonly family: string; readonly model: string }

/** Every `MODELS = ["A_Tiny", ...]` line of refs/<family>.py. */
function listCases(): Case[] {
  const out: Case[] = [];
  for (const f of readdirSync(REFS).filter((x) => x.endsWith(".py") && !x.startsWith("_")).sort()) {
    const m = /^MODELS = \[(.*)\]$/m.exec(readFileSync(join(REFS, f), "utf8"));
    if (!m) throw new Error(`${f} has no MODELS = [...] line`);
    for (const name of m[1]!.matchAll(/"(\w+)"/g)) out.push({ family: f.slice(0, -3), model: name[1]! });
  }
  const only = process.env.MM_FIDELITY?.split(",").filter(Boolean);
  return only ? out.filter((c) => only.includes(c.family) || only.includes(c.model)) : out;
}

/** Whether torch imports; warns loudly when skipping, fails under CI=true. */
function torchOrSkip(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (r.status === 0) return true;
  if (process.env.CI === "true") throw new Error(`python3-torch is required under CI=true: ${r.stderr || r.error?.message}`);
  console.warn("SKIPPING the fidelity tier: /usr/bin/python3 cannot import torch (apt-get install python3-torch python3-torchvision)");
  return false;
}

/** mm's seeded weights; a parameter that initialises to a constant (zeros, ones, const) gets
 *  noise of 0.1 on top, so a name mapped to the wrong tensor of equal init still shows. */
function weightsOf(p: IrParam, seed: number): Float32Array {
  const raw = weightBytes(p, { random: seed });
  const w = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  if (["zeros", "ones", "const"].includes(p.init?.name ?? "")) {
    const rand = mulberry32(w.length * 7919 + p.path.length);
    for (let i = 0; i < w.length; i++) w[i] = w[i]! + 0.2 * (rand() - 0.5);
  }
  return w;
}

const session = new Session();
const std = session.stdlib();
const cases = listCases();
const dir = mkdtempSync(join(tmpdir(), "mm-fidelity-"));
const results = new Map<string, { ok: boolean; detail: string; control: string }>();
let runnable = false;

async function makeBundle(c: Case): Promise<void> {
  const { ref, program } = session.findModel(c.model, std);
  if (!ref) throw new Error(`${c.family}.py names ${c.model}, which is not a stdlib model`);
  const r = session.compile(ref, program);
  if (!r.checked?.graph) throw new Error(`${c.model} does not check: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  const onnx = compileToOnnx(r.checked, r.sources, {});
  const bind = defaultBindings(onnx.ir);
  const tensors: BundleTensor[] = [];
  const feeds: Record<string, ort.Tensor> = {};
  for (const x of randomInputs(onnx.ir, bind, 3)) {
    const dtype = x.dtype === "bool" ? "bool" : x.dtype === "int64" ? "int64" : "float32";
    feeds[x.name] = new ort.Tensor(dtype, x.data, x.dims);
    tensors.push({ name: `input/${x.name}`, dtype, dims: x.dims, data: x.data as Float32Array });
  }
  for (const p of onnx.ir.params) {
    const dims = p.shape.map((d) => d.constValue()!);
    const w = weightsOf(p, 1);
    feeds[p.path] = new ort.Tensor("float32", w, dims);
    tensors.push({ name: `param/${p.path}`, dtype: "float32", dims, data: w });
  }
  const sess = await ort.InferenceSession.create(onnx.bytes, { logSeverityLevel: 3, graphOptimizationLevel: "disabled" });
  try {
    const out = await sess.run(feeds);
    for (const [name, v] of Object.entries(out)) {
      const data = v.type === "int64" ? (v.data as BigInt64Array) : v.type === "bool" ? Uint8Array.from(v.data as Uint8Array) : Float32Array.from(v.data as Float32Array);
      tensors.push({ name: `output/${name}`, dtype: v.type === "int64" ? "int64" : v.type === "bool" ? "bool" : "float32", dims: v.dims, data });
    }
  } finally {
    await sess.release();
  }
  writeBundle(join(dir, `${c.model}.safetensors`), tensors, { family: c.family, model: c.model });
}

beforeAll(async () => {
  runnable = torchOrSkip();
  if (!runnable || cases.length === 0) return;
  for (const c of cases) await makeBundle(c);
  const r = spawnSync(PYTHON, [join(import.meta.dirname, "run.py"), dir, ...cases.map((c) => `${c.family}:${c.model}`)], {
    encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, OMP_NUM_THREADS: "2" },
  });
  if (r.status !== 0) throw new Error(`run.py failed (${r.status}): ${r.stderr}`);
  for (const line of r.stdout.split("\n").filter((l) => l.startsWith("{"))) {
    const j = JSON.parse(line) as { model: string; ok: boolean; detail: string; control: string };
    results.set(j.model, j);
  }
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("every stdlib family matches its independent PyTorch reference", () => {
  it("has references", () => {
    if (!process.env.MM_FIDELITY) expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    it(`${c.model} (${c.family})`, () => {
      if (!runnable) return;
      const r = results.get(c.model);
      expect(r, `run.py gave no result for ${c.model}`).toBeDefined();
      expect(r!.detail, `${c.model} against refs/${c.family}.py`).toBe("");
      expect(r!.ok).toBe(true);
      expect(r!.control, `${c.model}: the negative control must fail the comparison`).toMatch(/^failed: /);
    });
  }
});
