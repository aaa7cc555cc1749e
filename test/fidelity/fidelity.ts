// Fidelity: each stdlib family against an independent PyTorch reference (test/fidelity/refs/,
// written from the official repositories' code, with their state-dict names). For every tiny
// model a reference lists, mm's graph runs in onnxruntime with seeded weights (parameters
// that initialise to a constant are perturbed, so a wrong name cannot hide behind equal
// values) and seeded inputs; the weights, inputs and outputs go to one safetensors bundle
// per model; one Python process per shard (torch's import alone takes over a second) loads each
// bundle's weights into the reference strictly (every key on both sides, equal shapes),
// runs it on the same inputs and compares every output and loss to 1e-4 of its scale. A
// negative control per model (the reference with one small deliberate change, such as an
// eps or an activation) must fail the same comparison: the test can see small differences.
//
// MM_FIDELITY=clip,blip (families: refs/<family>.py) or model names runs a subset.
//
// This module is the tier; fidelity-1.test.ts and fidelity-2.test.ts each run about half of
// its cases (whole families: cases.ts's shardCases), each with its own bundles and Python
// process, so the suite's two workers share it. Most of a shard's CPU time (85%) is
// SwiftShader compiling the WebGPU plans' kernels in the round trip below.
import { compileToOnnx, compileToWebGpu } from "../../compiler/driver/compile.js";
import { dawnOrSkip, runPlan } from "../backends/webgpu/harness.js";
import { overlapping } from "../../compiler/backends/webgpu/memory.js";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32, streamSeed, weightBytes } from "../../compiler/ir/weights.js";
import { Session } from "../../compiler/driver/session.js";
import { allTensors } from "../../compiler/elaborate/instance.js";
import type { IrParam } from "../../compiler/ir/ir.js";
import { irParamOf } from "../../compiler/driver/build-ir.js";
import { defaultBindings, randomInputs } from "../../compiler/tools/inputs.js";
import { ACCEPT } from "../golden/golden.js";
import { writeBundle, type BundleTensor } from "./bundle.js";
import { KNOWN, listCases, renderFidelityTable, shardCases, type Case } from "./cases.js";
import type { CheckedModel } from "../../compiler/check/check-model.js";
import { openCheckpoint, type Checkpoint } from "../../compiler/checkpoint/index.js";
import { keyReport } from "../../compiler/tools/weights/report.js";
import { Layout, layoutKeys, layoutSource, toLayout } from "../../compiler/tools/weights/layout.js";
import { DTYPE_SIZE } from "../../compiler/base/tensor.js";
import { checkpointKeys, modelKeys } from "../../compiler/cli/weights.js";

const PYTHON = "/usr/bin/python3";

/** The layout a reference uses (its `LAYOUT = "name"` line), when the model declares it:
 *  the bundle's parameters and the round trip's checkpoint use its names. */
const layoutNames = new Map<string, string | undefined>();
function refLayout(c: Case, checked: CheckedModel): Layout | undefined {
  if (!layoutNames.has(c.family)) {
    layoutNames.set(c.family, /^LAYOUT = "(\w+)"/m.exec(readFileSync(join(import.meta.dirname, "refs", `${c.family}.py`), "utf8"))?.[1]);
  }
  const name = layoutNames.get(c.family);
  const l = checked.model.layouts?.find((x) => x.name === name);
  return l === undefined ? undefined : new Layout(l.name, l.rules);
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
function weightsOf(p: IrParam, seed: number): Float32Array | BigInt64Array {
  const raw = weightBytes(p, { random: seed });
  const bytes = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  if (p.dtype === "int64") return new BigInt64Array(bytes);
  const w = new Float32Array(bytes);
  if (["zeros", "ones", "const"].includes(p.init?.name ?? "")) {
    const rand = mulberry32(streamSeed(seed + 1, p.path));
    for (let i = 0; i < w.length; i++) w[i] = w[i]! + 0.2 * (rand() - 0.5);
  }
  return w;
}

function keepFirst<A extends BigInt64Array | Uint8Array>(mask: A, row: number, one: A[number]): A {
  const out = mask.slice() as A;
  for (let i = 0; i < out.length; i += row) for (let j = 0; j < Math.min(2, row); j++) out[i + j] = one;
  return out;
}

const session = new Session();
const std = session.stdlib();
/** This file's shard of the cases (fidelitySuite sets it). */
let cases: Case[] = [];
// MM_FIDELITY_KEEP=DIR keeps the bundles there, to debug a reference against them.
const keep = process.env.MM_FIDELITY_KEEP;
const dir = keep ? (mkdirSync(keep, { recursive: true }), keep) : mkdtempSync(join(tmpdir(), "mm-fidelity-"));
const results = new Map<string, { ok: boolean; detail: string; control: string; roundtrip?: string }>();
/** Per case, what the round trip needs again: the checked model and the inputs fed. */
const compiled = new Map<string, {
  checked: CheckedModel; sources: ReadonlyMap<string, string>; feeds: Record<string, ort.Tensor>; bind: ReadonlyMap<string, number>;
  /** The control's weight: the graph's last 2-D float parameter. */
  zeroed: string | undefined;
}>();
let runnable = false;

async function makeBundle(c: Case): Promise<void> {
  const [name, mode] = c.model.split("@");
  const { ref, program } = session.findModel(name!, std);
  if (!ref) throw new Error(`${c.family}.py names ${name}, which is not a stdlib model`);
  const r = session.compile(ref, program, mode === "train" ? { training: true } : {});
  if (!r.checked?.graph) throw new Error(`${c.model} does not check: ${r.diagnostics.map((d) => d.message).join("; ")}`);
  const onnx = compileToOnnx(r.checked, r.sources, {});
  const bind = defaultBindings(onnx.ir);
  for (const [k, v] of c.bind) {
    if (!bind.has(k)) throw new Error(`refs/${c.family}.py binds ${k}, which no input of ${c.model} has`);
    bind.set(k, v);
  }
  const tensors: BundleTensor[] = [];
  const feeds: Record<string, ort.Tensor> = {};
  for (const x of randomInputs(onnx.ir, bind, 3)) {
    const dtype = x.dtype === "bool" ? "bool" : x.dtype === "int64" ? "int64" : "float32";
    // Real text starts with [CLS]/BOS and has a token after it: an int attention mask keeps its
    // first two positions (an all-padding row is undefined behaviour in the official code, NaN
    // or a -10000 bias where mm's mask is uniform). A padding mask is true where a position is
    // padding: mostly false.
    const data = dtype === "bool" && /padding/.test(x.name) ? (x.data as Uint8Array).map((v) => 1 - v)
      : dtype === "int64" && /mask/.test(x.name) && x.dims.length === 2 ? keepFirst(x.data as BigInt64Array, x.dims[1]!, 1n)
      : dtype === "bool" && /attention_mask/.test(x.name) && x.dims.length === 2 ? keepFirst(x.data as Uint8Array, x.dims[1]!, 1)
      : dtype === "float32" && /mask/.test(x.name) ? (x.data as Float32Array).map((v) => (v > 0 ? 1 : 0)) : x.data; // masks are 0/1
    feeds[x.name] = new ort.Tensor(dtype, data, x.dims);
    tensors.push({ name: `input/${x.name}`, dtype, dims: x.dims, data: data as Float32Array });
  }
  const zeroed = onnx.ir.params.filter((p) => p.shape.length === 2 && p.dtype === "float32" && !p.buffer).at(-1)?.path;
  compiled.set(c.model, { checked: r.checked, sources: r.sources, feeds: { ...feeds }, bind, zeroed });
  // The whole state dict, parameters and buffers, including those this graph does not read,
  // under the names of the reference's layout (the model's `layout` its LAYOUT line names).
  const inGraph = new Set(onnx.ir.params.map((p) => p.path));
  const values = new Map<string, Float32Array | BigInt64Array>();
  const own = allTensors(r.checked.model.root).map((t) => {
    const dims = t.shape.map((d) => d.constValue()!);
    const w = weightsOf(irParamOf(t, -1), 1);
    values.set(t.path, w);
    if (inGraph.has(t.path)) feeds[t.path] = new ort.Tensor(w instanceof BigInt64Array ? "int64" : "float32", w, dims);
    return { path: t.path, dtype: w instanceof BigInt64Array ? "int64" as const : "float32" as const, shape: dims };
  });
  const layout = refLayout(c, r.checked);
  const bytesOf = (p: string): Uint8Array[] => { const w = values.get(p)!; return [new Uint8Array(w.buffer, w.byteOffset, w.byteLength)]; };
  for (const t of layout ? toLayout(layout, own, (d) => (d === "int64" ? 8 : 4), bytesOf) : own.map((o) => ({ ...o, name: o.path, chunks: () => bytesOf(o.path) }))) {
    const raw = Buffer.concat([...t.chunks()]);
    const data = t.dtype === "int64" ? new BigInt64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8) : new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    tensors.push({ name: `param/${t.name}`, dtype: t.dtype === "int64" ? "int64" : "float32", dims: t.shape, data });
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
  writeBundle(join(dir, `${c.model}.safetensors`), tensors, { family: c.family, model: c.model, mode: mode ?? "eval" });
}

/** mm's outputs with a checkpoint's weights; `control`: one weight the graph reads (its
 *  last 2-D float parameter) loads as zeros instead, which the comparison must notice. */
async function outputsWith(c: Case, ckpt: Checkpoint, control = false): Promise<Record<string, ort.Tensor>> {
  const { checked, sources, feeds, zeroed: last } = compiled.get(c.model)!;
  const zeroed = control ? last : undefined;
  const shapes = new Map(modelKeys(checked).map((k) => [k.path, k.shape]));
  const read = layoutSource(ckpt.tensors, shapes, refLayout(c, checked), (d) => DTYPE_SIZE[d]);
  const onnx = compileToOnnx(checked, sources, { weights: { checkpoint: { label: "reference", tensor: (p) => (p === zeroed ? undefined : read(p)) } } });
  const inputs = Object.fromEntries(onnx.ir.inputs.map((i) => [i.name, feeds[i.name]!]));
  const sess = await ort.InferenceSession.create(onnx.bytes, { logSeverityLevel: 3, graphOptimizationLevel: "disabled" });
  try {
    return await sess.run(inputs);
  } finally {
    await sess.release();
  }
}

/** The same outputs from the WebGPU plan, on Dawn. */
async function gpuOutputsWith(c: Case, ckpt: Checkpoint): Promise<Record<string, { data: ArrayLike<number> }>> {
  const { checked, feeds, bind } = compiled.get(c.model)!;
  const shapes = new Map(modelKeys(checked).map((k) => [k.path, k.shape]));
  const read = layoutSource(ckpt.tensors, shapes, refLayout(c, checked), (d) => DTYPE_SIZE[d]);
  const plan = compileToWebGpu(checked, { bind, weights: { checkpoint: { label: "reference", tensor: read } } });
  // The plan's memory report, as test/backends/webgpu/stdlib.test.ts checks it for the
  // tiny models this tier does not run.
  const { memory } = plan.plan;
  expect(memory.peak).toBeGreaterThanOrEqual(memory.lowerBound);
  expect(memory.peak).toBeLessThanOrEqual(memory.naive);
  expect(overlapping(plan.lifetimes, plan.placement.offsets)).toEqual([]);
  const inputs = plan.plan.inputs.map((i) => {
    const f = feeds[i.name]!;
    return { name: i.name, dtype: f.type as "float32" | "int64" | "bool", dims: f.dims, data: f.data as Float32Array };
  });
  return runPlan(plan, inputs as unknown as Parameters<typeof runPlan>[1]);
}

/** Int and bool outputs that differ at all from the reference's. */
function exactDifferences(got: Record<string, { data: ArrayLike<number> }>, want: Checkpoint): string[] {
  const bad: string[] = [];
  for (const [name, w] of want.tensors) {
    const g = got[name];
    if (g === undefined || w.dtype === "float32") continue;
    const n = w.shape.reduce((a, b) => a * b, 1);
    const bytes = w.read(0, n).slice().buffer;
    const wv: ArrayLike<number | bigint> = w.dtype === "int64" ? new BigInt64Array(bytes) : w.dtype === "int32" ? new Int32Array(bytes) : new Uint8Array(bytes);
    let wrong = g.data.length === n ? 0 : n;
    for (let i = 0; i < n && wrong === 0; i++) if (Number(wv[i]) !== Number(g.data[i])) wrong++;
    if (wrong > 0) bad.push(`${name} (${w.dtype}) differs`);
  }
  return bad;
}

/** Float outputs off by more than `tol` of their scale (int and bool ones are the forward tier's). */
function differences(got: Record<string, { data: unknown }>, want: Checkpoint, tol = 1e-4): string[] {
  const bad: string[] = [];
  for (const [name, w] of want.tensors) {
    const g = got[name];
    if (g === undefined) { bad.push(`${name}: mm does not compute it`); continue; }
    if (w.dtype !== "float32") continue;
    const n = w.shape.reduce((a, b) => a * b, 1);
    const wv = new Float32Array(w.read(0, n).slice().buffer);
    const gv = g.data as ArrayLike<number>;
    let scale = 1e-2, diff = 0;
    for (let i = 0; i < n; i++) { scale = Math.max(scale, Math.abs(wv[i]!)); diff = Math.max(diff, Math.abs(wv[i]! - gv[i]!)); }
    if (!(diff <= tol * scale) || gv.length !== n) bad.push(`${name}: max|d| ${diff.toExponential(3)} against scale ${scale.toExponential(3)}`);
  }
  return bad;
}

/** Shard `shard` of `of` (1-based) of the fidelity tier in this test file (cases.ts's
 *  shardCases: whole families), with this file's own bundle folder and Python process.
 *  Shard 1 also checks stdlib/README.md's table of every case. */
export function fidelitySuite(shard: number, of: number): void {
  cases = shardCases(listCases(process.env.MM_FIDELITY?.split(",").filter(Boolean)), shard, of);

  beforeAll(async () => {
    runnable = torchOrSkip();
    if (!runnable || cases.length === 0) return;
    for (const c of cases) await makeBundle(c);
    // One torch thread: the tiny models gain nothing from more, and two OpenMP threads spin
    // while they wait, which took 14 to 40 s of CPU for a shard that one thread runs in 4 s
    // (and the suite's other worker wants the second core).
    const r = spawnSync(PYTHON, [join(import.meta.dirname, "run.py"), dir, ...cases.map((c) => `${c.family}:${c.model}`)], {
      encoding: "utf8", maxBuffer: 64 << 20, env: { ...process.env, OMP_NUM_THREADS: "1" },
    });
    if (r.status !== 0) throw new Error(`run.py failed (${r.status}): ${r.stderr}`);
    for (const line of r.stdout.split("\n").filter((l) => l.startsWith("{"))) {
      const j = JSON.parse(line) as { model: string; ok: boolean; detail: string; control: string; roundtrip?: string };
      results.set(j.model, j);
    }
  }, 600_000);
  afterAll(() => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  });

  if (shard === 1) describe("stdlib/README.md's fidelity table", () => {
    it("lists every case with its reference and status", () => {
      const path = "stdlib/README.md";
      const text = readFileSync(path, "utf8");
      const start = text.indexOf("<!-- fidelity:start -->\n"), end = text.indexOf("<!-- fidelity:end -->");
      expect(start).toBeGreaterThan(0);
      const fresh = text.slice(0, start) + "<!-- fidelity:start -->\n" + renderFidelityTable() + text.slice(end);
      if (ACCEPT) writeFileSync(path, fresh);
      else expect(text, "stdlib/README.md is stale: run `npm run test:accept`").toBe(fresh);
    });
  });

  describe("every stdlib family matches its independent PyTorch reference", () => {
    it("has references", () => {
      if (!process.env.MM_FIDELITY) expect(cases.length).toBeGreaterThan(0);
    });
    for (const c of cases) {
      it(`${c.model} (${c.family})`, () => {
        if (!runnable) return;
        const r = results.get(c.model);
        expect(r, `run.py gave no result for ${c.model}`).toBeDefined();
        const known = KNOWN[c.model.split("@")[0]!];
        if (known !== undefined) {
          expect(r!.ok, `${c.model} now matches its reference: remove its KNOWN entry (${known})`).toBe(false);
          return;
        }
        expect(r!.detail, `${c.model} against refs/${c.family}.py`).toBe("");
        expect(r!.ok).toBe(true);
        expect(r!.control, `${c.model}: the negative control must fail the comparison`).toMatch(/^failed: /);
      });
    }
  });

  describe("the reference's own checkpoint loads into mm and gives the reference's outputs", () => {
    // run.py saves each reference's state_dict() with torch.save (zip) and as safetensors (its
    // own writer), and its outputs on the same inputs: mm reads both files with its readers,
    // the key report must be a full match, and mm's graph with those weights must compute the
    // reference's outputs to 1e-4 of their scale, in onnxruntime and as a WebGPU plan on Dawn
    // (whose int and bool outputs must be equal; test/backends/webgpu/stdlib.test.ts leaves
    // these models to this test).
    const evalCases = cases.filter((x) => !x.model.includes("@"));
    // A subset (MM_FIDELITY) may leave a shard none; the whole tier never does.
    it("has eval-mode cases", () => {
      if (!process.env.MM_FIDELITY) expect(evalCases.length).toBeGreaterThan(0);
    });
    for (const c of evalCases) {
      it(`${c.model} (${c.family})`, async () => {
        if (!runnable) return;
        const r = results.get(c.model);
        expect(r?.roundtrip, `run.py could not save ${c.model}'s checkpoint`).toBeUndefined();
        const base = join(dir, c.model);
        if (KNOWN[c.model] !== undefined) return;
        const pt = openCheckpoint(`${base}.pt`);
        const st = openCheckpoint(`${base}.ref.safetensors`);
        const want = openCheckpoint(`${base}.rt.safetensors`);
        try {
          const { checked } = compiled.get(c.model)!;
          const layout = refLayout(c, checked);
          const report = keyReport(layoutKeys(modelKeys(checked), layout), checkpointKeys(pt));
          expect({ missing: report.missing.map((g) => g.pattern), unexpected: report.unexpected.map((g) => g.pattern), mismatched: report.mismatched.map((m) => m.path) })
            .toEqual({ missing: [], unexpected: [], mismatched: [] });
          // Both readers see the same tensors in the two files PyTorch and run.py wrote.
          expect([...st.tensors.keys()].sort()).toEqual([...pt.tensors.keys()].sort());
          for (const [k, t] of pt.tensors) {
            const n = t.shape.reduce((a, b) => a * b, 1);
            expect(Buffer.from(st.tensors.get(k)!.read(0, n)).equals(Buffer.from(t.read(0, n))), k).toBe(true);
          }
          expect(differences(await outputsWith(c, pt), want)).toEqual([]);
          expect(differences(await outputsWith(c, pt, true), want), "the control (one weight zeroed) must differ").not.toEqual([]);
          if (await dawnOrSkip("the WebGPU round trip")) {
            const gpu = await gpuOutputsWith(c, pt);
            expect([...differences(gpu, want), ...exactDifferences(gpu, want)], "the WebGPU plan with the reference's checkpoint").toEqual([]);
          }
        } finally {
          pt.close();
          st.close();
          want.close();
        }
      });
    }
  });
}
