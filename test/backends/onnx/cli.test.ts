// `mm compile`, end to end in-process: files that onnxruntime loads and runs, byte-identical
// across runs (model and external data), atomic (nothing left behind by a failure),
// external data (tiny threshold; forced past 2 GiB), the EMA update graph, usage errors.
import { compileToOnnx, lowerToOnnx } from "../../../compiler/driver/compile.js";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { Dim } from "../../../compiler/base/dims.js";
import { runCli } from "../../../compiler/cli/main.js";
import { Session } from "../../../compiler/driver/session.js";
import { type WeightTensor } from "../../../compiler/backends/onnx/index.js";
import { weightBytes, weightChunks } from "../../../compiler/ir/weights.js";
import { EXTERNAL_ALIGNMENT, MAX_MODEL_FILE, planExternal, writeOnnx } from "../../../compiler/backends/onnx/write.js";
import { onnx, type ModelProto } from "../../../compiler/backends/onnx/proto.js";
import { heavyLock } from "../../heavy-lock.js";
import { project } from "../../helpers.js";
import { compileFile, compileText, pythonCheck, tempDir, type Feeds } from "./helpers.js";

const session = new Session();
const dirs: string[] = [];
const fresh = (): string => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function mm(args: readonly string[], tty = false): { code: number; out: string; err: string } {
  let out = "", err = "";
  const code = runCli(args, { out: (s) => (out += s), err: (s) => (err += s), color: false, tty }, session);
  return { code, out, err };
}

/** Runs the checker, or skips loudly (fails under CI) when python3-onnx is missing. */
function expectChecks(paths: readonly string[]): void {
  const r = pythonCheck(paths);
  if (!r) {
    if (process.env.CI === "true") throw new Error("/usr/bin/python3 cannot import onnx (install python3-onnx)");
    console.warn("SKIPPED: /usr/bin/python3 has no onnx module; the ONNX checker did not run");
    return;
  }
  expect(r.output).not.toMatch(/FAIL/);
  expect(r.ok).toBe(true);
}

/** Whether two files hold the same bytes, read 16 MiB at a time: two 600 MB files read
 *  whole were 1.2 GB of the suite's peak memory. */
function sameBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const [fa, fb] = [openSync(a, "r"), openSync(b, "r")];
  const [ba, bb] = [Buffer.alloc(16 << 20), Buffer.alloc(16 << 20)];
  try {
    for (;;) {
      const n = readSync(fa, ba, 0, ba.length, null);
      const m = readSync(fb, bb, 0, bb.length, null);
      if (n !== m || !ba.subarray(0, n).equals(bb.subarray(0, m))) return false;
      if (n === 0) return true;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

async function run(model: string | Uint8Array, feeds: Feeds): Promise<Record<string, ort.Tensor>> {
  const s = typeof model === "string" ? await ort.InferenceSession.create(model, { logSeverityLevel: 3 }) : await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

const floats = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 12.9898) * 0.5);

function tensorsOf(path: string): ModelProto {
  return onnx.ModelProto.decode(readFileSync(path));
}

describe("mm compile", () => {
  // Full size with external data: onnxruntime holds an inline 600 MB file twice while it
  // loads (1.15 GiB against 0.62), which made this the suite's peak. The inline writer is
  // checked byte for byte against protobufjs's encoding below, and run inline on a small model.
  // onnxruntime's 0.9 GiB for CLIP stay with this process until the file ends: no Chromium
  // or other full-size run beside it until then (heavy-lock.ts).
  let release = (): void => {};
  afterAll(() => release());
  it("examples/clip.mm#CLIP --weights random --external-data: onnxruntime loads and runs the file", async () => {
    release = await heavyLock();
    const out = join(fresh(), "clip.onnx");
    const r = mm(["compile", "examples/clip.mm#CLIP", "-o", out, "--weights", "random", "--external-data"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*clip\.onnx: [\d,]+ nodes, [\d.]+ MiB \(weights random, seed 0\); \d+ tensor\(s\), \d+ MiB in clip\.onnx\.data\n$/);
    expect(statSync(`${out}.data`).size).toBeGreaterThan(500 * 2 ** 20);
    const res = await run(out, {
      pixels: new ort.Tensor("float32", floats(3 * 224 * 224, 1), [1, 3, 224, 224]),
      tokens: new ort.Tensor("int64", BigInt64Array.from({ length: 77 }, (_, i) => BigInt(i % 100)), [1, 77]),
    });
    const logits = res.logits_per_image!;
    expect(logits.dims).toEqual([1, 1]);
    expect(Number.isFinite(Number(logits.data[0]))).toBe(true);
    rmSync(out);
    rmSync(`${out}.data`);
  }, 240_000); // it may wait for another file's heavy step (heavy-lock.ts)

  it("is byte-identical across runs, model and external data", () => {
    const [a, b] = [join(fresh(), "clip.onnx"), join(fresh(), "clip.onnx")];
    for (const out of [a, b]) expect(mm(["compile", "examples/clip.mm", "--model", "CLIP", "-o", out, "--weights", "random", "--seed", "3", "--external-data"]).code).toBe(0);
    expect(sameBytes(a, b)).toBe(true);
    expect(sameBytes(`${a}.data`, `${b}.data`)).toBe(true);
    expect(statSync(`${a}.data`).size).toBeGreaterThan(500 * 2 ** 20);
    expect(readdirSync(dirname(a)).sort()).toEqual(["clip.onnx", "clip.onnx.data"]); // no temp files
    for (const p of [a, b]) rmSync(p), rmSync(`${p}.data`);
  });

  it("writes nothing when the compile fails, and leaves an existing file as it was", () => {
    const p = project({ "bad.mm": "model Bad {\n  input x: [B, 4]\n  forward {\n    output y = x @ x\n  }\n}\n" });
    const out = p.path("bad.onnx");
    const r = mm(["compile", p.path("bad.mm"), "-o", out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error MM\d{4}/);
    expect(readdirSync(p.root).sort()).toEqual(["bad.mm", "package.json"]);
    writeFileSync(out, "old");
    expect(mm(["compile", p.path("bad.mm"), "-o", out]).code).toBe(1);
    expect(readFileSync(out, "utf8")).toBe("old");
    expect(readdirSync(p.root).sort()).toEqual(["bad.mm", "bad.onnx", "package.json"]);
  });

  it("removes its temp files when writing fails halfway", () => {
    const dir = fresh();
    const out = join(dir, "m.onnx");
    writeFileSync(out, "old");
    const c = compileFile("test/backends/onnx/tiny_clip.mm").get("TinyCLIP")!;
    const lowered = lowerToOnnx(c.checked, c.sources, { weights: { random: 1 } });
    let calls = 0;
    expect(() => writeOnnx(out, lowered, {
      weights: { random: 1 }, externalThreshold: 256,
      onProgress: () => {
        if (++calls === 20) throw new Error("disk on fire");
      },
    })).toThrow("disk on fire");
    expect(readdirSync(dir)).toEqual(["m.onnx"]);
    expect(readFileSync(out, "utf8")).toBe("old");
  });

  it("streams the same bytes that compileToOnnx builds in memory", () => {
    const dir = fresh();
    const c = compileFile("test/backends/onnx/tiny_clip.mm").get("TinyCLIP")!;
    for (const weights of ["none", "zeros", { random: 4 }] as const) {
      const out = join(dir, "m.onnx");
      writeOnnx(out, lowerToOnnx(c.checked, c.sources, { weights, opset: 21 }), { weights, chunkElems: 1000 });
      expect(readFileSync(out).equals(Buffer.from(compileToOnnx(c.checked, c.sources, { weights, opset: 21 }).bytes))).toBe(true);
    }
  });

  it("external data with a tiny threshold: the checker accepts it, onnxruntime runs it as the inline model", async () => {
    const dir = fresh();
    const [inline, ext] = [join(dir, "inline.onnx"), join(dir, "ext.onnx")];
    const model = "test/backends/onnx/tiny_clip.mm#TinyCLIP";
    expect(mm(["compile", model, "-o", inline, "--weights", "random", "--seed", "5"]).code).toBe(0);
    const r = mm(["compile", model, "-o", ext, "--weights", "random", "--seed", "5", "--external-threshold", "100"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/tensor\(s\), .* in ext\.onnx\.data/);
    expect(readdirSync(dir).sort()).toEqual(["ext.onnx", "ext.onnx.data", "inline.onnx"]);
    const m = tensorsOf(ext);
    const external = m.graph!.initializer!.filter((t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
    expect(external.length).toBeGreaterThan(10);
    for (const t of external) {
      const kv = Object.fromEntries(t.externalData!.map((e) => [e.key, e.value]));
      expect(kv.location).toBe("ext.onnx.data");
      expect(Number(kv.offset) % EXTERNAL_ALIGNMENT).toBe(0);
      expect(Number(kv.length)).toBeGreaterThan(100);
    }
    expectChecks([ext]);
    const feeds: Feeds = {
      pixels: new ort.Tensor("float32", floats(2 * 3 * 32 * 32, 2), [2, 3, 32, 32]),
      tokens: new ort.Tensor("int64", BigInt64Array.from({ length: 2 * 16 }, (_, i) => BigInt(i % 7)), [2, 16]),
    };
    const [a, b] = [await run(inline, feeds), await run(ext, feeds)];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const k of Object.keys(a)) expect([k, [...b[k]!.data as Float32Array]]).toEqual([k, [...a[k]!.data as Float32Array]]);
  });

  it("forces external data when the weights would pass 2 GiB, keeping what stays inline under the limit", () => {
    const span = { file: "x.mm", start: 0, end: 0 };
    const w = (name: string, dims: number[]): WeightTensor => ({
      name, dtype: "float32", dims,
      param: { path: name, value: 0, shape: dims.map((d) => Dim.const(d)), dtype: "float32", span },
    });
    const big = [w("emb", [2 ** 27]), w("lm_head", [2 ** 27]), w("bias", [1024]), w("norm", [1024])]; // 2 x 512 MiB + 8 KiB
    const small = planExternal(big, 1000, undefined);
    expect([small.forced, small.plan.filter((t) => t.offset !== undefined).length]).toEqual([false, 0]);
    const huge = [...big, w("proj", [2 ** 28])]; // + 1 GiB: 2 GiB in all
    const forced = planExternal(huge, 1000, undefined);
    expect(forced.forced).toBe(true);
    expect(forced.plan.map((t) => t.offset)).toEqual([0, 2 ** 29, undefined, undefined, 2 ** 30]);
    // A threshold above every tensor still moves the largest out until the rest fits.
    const high = planExternal(huge, 1000, 2 ** 40);
    expect(high.forced).toBe(true);
    expect(high.plan.filter((t) => t.offset === undefined).reduce((a, t) => a + t.bytes, 0)).toBeLessThan(MAX_MODEL_FILE);
    expect(high.plan[4]!.offset).toBe(0);
    // A threshold that already keeps the model small is not "forced".
    expect(planExternal(huge, 1000, 2 ** 20).forced).toBe(false);
  });

  it("generates the same values whether a parameter is chunked or not", () => {
    const c = compileText(`
      model Inits {
        param n: [1001] init normal(std: 0.02)
        param tn: [999] init trunc_normal(std: 1.0, a: -0.5, b: 0.5)
        param ku: [30, 50] init kaiming_uniform
        param h: [257] float16 init normal
        param c: [33] init const(0.25)
        forward { output total = sum(n) + sum(tn) + sum(ku) + sum(c) + sum(cast(h, "float32")) }
      }`).get("Inits")!;
    const lowered = lowerToOnnx(c.checked, c.sources, { weights: { random: 8 } });
    expect(lowered.weights.length).toBe(5);
    for (const t of lowered.weights) {
      const whole = Buffer.from(weightBytes(t.param, { random: 8 }));
      for (const size of [1, 7, 100, 5000]) {
        const parts: Buffer[] = [];
        for (const b of weightChunks(t.param, { random: 8 }, size)) parts.push(Buffer.from(b)); // copy: the next chunk reuses b
        expect([t.name, size, Buffer.concat(parts).equals(whole)]).toEqual([t.name, size, true]);
      }
    }
  });

  it("draws a progress line on a terminal only", () => {
    const dir = fresh();
    const tty = mm(["compile", "test/backends/onnx/tiny_clip.mm", "-o", join(dir, "a.onnx"), "--weights", "zeros"], true);
    expect(tty.code).toBe(0);
    expect(tty.err).toMatch(/^\rweights \[.*\] +\d+% /);
    expect(tty.err).toMatch(/\rweights \[#{30}\] 100% +880 KiB \/ 880 KiB +\n$/);
    const plain = mm(["compile", "test/backends/onnx/tiny_clip.mm", "-o", join(dir, "b.onnx"), "--weights", "zeros"]);
    expect(plain.err).toBe("");
  });

  it("answers usage errors with exit 2", () => {
    const out = join(fresh(), "x.onnx");
    const cases: [string[], RegExp][] = [
      [["compile", "CLIP_ViT_B32_Tiny", "-o", out, "--target", "webgpu"], /--bind B=N/],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", out, "--target", "wasm"], /--target takes onnx, webgpu, ts or ir, not 'wasm'/],
      [["compile", "CLIP_ViT_B32_Tiny"], /-o OUT/],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", out, "--weights", "ones"], /none, zeros, random or a checkpoint file or folder; there is no file 'ones'/],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", out, "--seed", "3"], /--seed goes with --weights random/],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", out, "--opset", "16"], /--opset takes an integer from 17 to 23/],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", out, "--task", "nope"], /has no task 'nope' \(tasks: /],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", out, "--task", "ema_update"], /no EMA teachers/],
      [["compile", "CLIP_ViT_B32_Tiny", "-o", "/no/such/dir/x.onnx"], /no folder/],
      [["compile", "NoSuchModel", "-o", out], /no model named 'NoSuchModel'/],
    ];
    for (const [args, msg] of cases) {
      const r = mm(args);
      expect([args.join(" "), r.code]).toEqual([args.join(" "), 2]);
      expect(r.err).toMatch(msg);
    }
    expect(existsSync(out)).toBe(false);
  });
});

describe("mm compile --task ema_update", () => {
  const EMA = `
block Lin(d: Int) {
  param weight: [d, d]
  param bias: [d] init zeros
  forward(x: [B, d]) -> [B, d] {
    return linear(x, weight, bias)
  }
}

model EmaPair {
  a = Lin(4)
  b = Lin(3)
  a_m = ema(a, momentum: 0.9)
  b_m = ema(b, momentum: 0.25)
  input x: [B, 4]
  input z: [B, 3]
  forward {
    output y = a(x) + a_m(x)
    output w = b(z) + b_m(z)
  }
}
`;

  async function checkUpdate(model: string, momentum: (teacher: string) => number): Promise<number> {
    const out = join(fresh(), "ema.onnx");
    const r = mm(["compile", model, "-o", out, "--task", "ema_update"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expectChecks([out]);
    const m = tensorsOf(out);
    const g = m.graph!;
    const ema = JSON.parse(m.metadataProps!.find((p) => p.key === "mm.ema")!.value!) as Record<string, { source: string; momentum: number }>;
    const teachers = Object.keys(ema);
    expect(g.output!.map((o) => o.name)).toEqual(teachers.map((t) => `${t}.updated`));
    expect(g.input!.map((i) => i.name)).toEqual([...new Set(teachers.map((t) => ema[t]!.source)), ...teachers]);
    const feeds: Feeds = {};
    const values = new Map<string, Float32Array>();
    g.input!.forEach((inp, k) => {
      const dims = inp.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
      const xs = floats(dims.reduce((a, b) => a * b, 1), k + 1);
      values.set(inp.name!, xs);
      feeds[inp.name!] = new ort.Tensor("float32", xs, dims);
    });
    const res = await run(out, feeds);
    let worst = 0;
    for (const t of teachers) {
      const mo = momentum(t);
      expect(ema[t]!.momentum).toBe(mo);
      const got = res[`${t}.updated`]!.data as Float32Array;
      const [teacher, student] = [values.get(t)!, values.get(ema[t]!.source)!];
      got.forEach((y, i) => (worst = Math.max(worst, Math.abs(y - (mo * teacher[i]! + (1 - mo) * student[i]!)))));
    }
    expect(worst).toBeLessThan(1e-6);
    return teachers.length;
  }

  it("a small model with two momentums: teacher' = m * teacher + (1 - m) * student", async () => {
    const p = project({ "ema.mm": EMA });
    expect(await checkUpdate(p.path("ema.mm"), (t) => (t.startsWith("a_m.") ? 0.9 : 0.25))).toBe(4);
  });

  it("ALBEF_Tiny: every teacher parameter (momentum 0.995)", async () => {
    expect(await checkUpdate("ALBEF_Tiny", () => 0.995)).toBeGreaterThan(50);
  });
});
