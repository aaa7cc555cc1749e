// Checkpoints through the CLI, on files PyTorch writes (Debian's python3-torch; make.py):
// every format loads with a full key report and the values it should (float32 exact,
// float16 and bfloat16 widened exactly as torch's .float() does), the report groups what
// does not match, and hostile or broken files give a coded error, run nothing and write
// nothing. One model throughout: CLIP_ViT_B32_Tiny (78 tensors), its state dict exported by
// `mm weights export` and re-saved by torch.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpoint } from "../../compiler/checkpoint/index.js";
import { writeSafetensors } from "../../compiler/checkpoint/write.js";
import { mm } from "../helpers.js";
import { runCliAsync } from "../../compiler/cli/main.js";
import { Session } from "../../compiler/driver/session.js";
import { loadPlanDir, readPlanDir } from "../../runtime/node.js";
import { dawnOrSkip } from "../backends/webgpu/harness.js";

/** An asynchronous command (mm run), in-process. */
async function mmAsync(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await runCliAsync(args, { out: (s) => (out += s), err: (s) => (err += s), color: false }, new Session());
  return { code, out, err };
}

const PYTHON = "/usr/bin/python3";
const MODEL = "CLIP_ViT_B32_Tiny";
const dir = mkdtempSync(join(tmpdir(), "mm-ckpt-"));
const at = (f: string): string => join(dir, f);
let runnable = false;

beforeAll(() => {
  const torch = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (torch.status !== 0) {
    if (process.env.CI === "true") throw new Error(`python3-torch is required under CI=true: ${torch.stderr}`);
    console.warn("SKIPPING the checkpoint tier: /usr/bin/python3 cannot import torch (apt-get install python3-torch)");
    return;
  }
  expect(mm("weights", "export", MODEL, "-o", at("mm.safetensors"), "--seed", "3").code).toBe(0);
  const r = spawnSync(PYTHON, [join(import.meta.dirname, "make.py"), dir], { encoding: "utf8", env: { ...process.env, OMP_NUM_THREADS: "1" } });
  if (r.status !== 0) throw new Error(`make.py failed: ${r.stderr}`);
  runnable = true;
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every tensor's bytes, by name. */
function contents(path: string): Map<string, Buffer> {
  const c = openCheckpoint(path);
  try {
    return new Map([...c.tensors].map(([k, t]) => [k, Buffer.from(t.read(0, t.shape.reduce((a, b) => a * b, 1)))]));
  } finally {
    c.close();
  }
}

describe("every format loads, with the values it should", () => {
  it.each([
    ["f32.pt", "mm.safetensors"], // torch.save zip, float32: exact
    ["views.pt", "mm.safetensors"], // a strided view, gathered
    ["dataparallel.pt", "mm.safetensors"], // under state_dict, with DataParallel's module. prefix
    ["pyslowfast.pyth", "mm.safetensors"], // under model_state, beside an optimizer state, as PySlowFast saves
    ["sharded", "mm.safetensors"], // a folder with model.safetensors.index.json and two shards
    ["sharded/model.safetensors.index.json", "mm.safetensors"],
    ["torchsharded", "mm.safetensors"], // torch.save shards with pytorch_model.bin.index.json
    ["f16.pt", "f16.widened.safetensors"], // float16, widened exactly
    ["bf16-nested.pth", "bf16.widened.safetensors"], // bfloat16 under `model`, widened exactly
    ["bf16.safetensors", "bf16.widened.safetensors"],
  ])("%s", (file, expected) => {
    if (!runnable) return;
    const check = mm("weights", "check", MODEL, at(file));
    expect(check.out).toContain("loads");
    expect(check.out).toContain("78 tensors match");
    expect(check.code).toBe(0);
    const out = at(`${file.replace(/\W/g, "_")}.out.safetensors`);
    expect(mm("weights", "export", MODEL, "-o", out, "--weights", at(file)).code).toBe(0);
    const got = contents(out), want = contents(at(expected));
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k)!.equals(v), k).toBe(true);
  });

  it("compile --weights writes the checkpoint's values into the ONNX file", () => {
    if (!runnable) return;
    const r = mm("compile", MODEL, "-o", at("f16.onnx"), "--weights", at("f16.pt"));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("weights checkpoint f16.pt");
    // The first matrix's float32 bytes appear verbatim among the initializers.
    const c = openCheckpoint(at("f16.widened.safetensors"));
    const t = [...c.tensors.values()].find((x) => x.shape.length === 2)!;
    const bytes = Buffer.from(t.read(0, t.shape[0]! * t.shape[1]!));
    c.close();
    expect(readFileSync(at("f16.onnx")).indexOf(bytes)).toBeGreaterThan(0);
  });
});

describe("layouts: CLIP from Hugging Face's names and from OpenAI's", () => {
  // openai.pt is mm's state dict converted by make.py from OpenAI's clip/model.py names (q, k,
  // v packed into in_proj_weight, the projections transposed), not by mm's layout rules.
  it("loads OpenAI's layout with --layout openai, and gives the same outputs as Hugging Face's", async () => {
    if (!runnable) return;
    const check = mm("weights", "check", MODEL, at("openai.pt"), "--layout", "openai");
    expect(check.out).toContain("62 tensors match");
    expect(check.code).toBe(0);
    const hf = await mmAsync("run", MODEL, "--backend", "onnxruntime", "--weights", at("f32.pt"));
    const oa = await mmAsync("run", MODEL, "--backend", "onnxruntime", "--weights", at("openai.pt"), "--layout", "openai");
    expect(hf.code, hf.err).toBe(0);
    expect(oa.code, oa.err).toBe(0);
    const sums = (out: string): string[] => out.split("\n").filter((l) => l.includes("checksum"));
    expect(sums(oa.out)).toEqual(sums(hf.out));
    expect(sums(hf.out).length).toBeGreaterThan(3);
  });

  it("without --layout, the report points at the layout that loads", () => {
    if (!runnable) return;
    const r = mm("weights", "check", MODEL, at("openai.pt"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("--layout openai loads it");
  });

  it("export converts both ways, to the bytes OpenAI's layout holds", () => {
    if (!runnable) return;
    expect(mm("weights", "export", MODEL, "-o", at("to-openai.safetensors"), "--weights", at("f32.pt"), "--layout", "openai").code).toBe(0);
    const got = contents(at("to-openai.safetensors")), want = contents(at("openai.safetensors"));
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, v] of want) expect(got.get(k)!.equals(v), k).toBe(true);
    expect(mm("weights", "export", MODEL, "-o", at("from-openai.safetensors"), "--weights", at("openai.pt"), "--from-layout", "openai").code).toBe(0);
    const back = contents(at("from-openai.safetensors")), hf = contents(at("mm.safetensors"));
    for (const [k, v] of hf) expect(back.get(k)!.equals(v), k).toBe(true);
  });
});

describe("default layouts: ALBEF's ViT is towers/vit.mm's ViTModel, its checkpoints timm's", () => {
  // ALBEF declares `default layout timm`; ViTModel's `timm` rules rename and pack q, k, v.
  // (test/fidelity loads PyTorch's own ALBEF state dict this way.)
  const M = "ALBEF_Tiny";
  const keys = (f: string): string[] => [...contents(at(f)).keys()];
  it("export and check use the default; --layout mm names mm's own paths", async () => {
    expect(mm("weights", "export", M, "-o", at("albef.safetensors")).code).toBe(0);
    expect(mm("weights", "export", M, "-o", at("albef-mm.safetensors"), "--layout", "mm").code).toBe(0);
    expect(keys("albef.safetensors")).toContain("visual_encoder.blocks.1.attn.qkv.weight");
    expect(keys("albef.safetensors")).toContain("visual_encoder_m.pos_embed");
    expect(keys("albef-mm.safetensors")).toContain("visual_encoder.encoder.layer.1.attention.attention.query.weight");
    expect(keys("albef-mm.safetensors").some((k) => k.includes(".blocks."))).toBe(false);
    expect(mm("weights", "check", M, at("albef.safetensors")).code).toBe(0);
    const wrong = mm("weights", "check", M, at("albef-mm.safetensors"));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain("--layout mm loads it");
    expect(mm("weights", "check", M, at("albef-mm.safetensors"), "--layout", "mm").code).toBe(0);
    const a = await mmAsync("run", M, "--backend", "onnxruntime", "--weights", at("albef.safetensors"));
    const b = await mmAsync("run", M, "--backend", "onnxruntime", "--weights", at("albef-mm.safetensors"), "--layout", "mm");
    expect([a.code, b.code], a.err + b.err).toEqual([0, 0]);
    const sums = (out: string): string[] => out.split("\n").filter((l) => l.includes("checksum"));
    expect(sums(a.out)).toEqual(sums(b.out));
    expect(sums(a.out).length).toBeGreaterThan(3);
  });

  it("an unknown --layout lists the model's layouts and mm", () => {
    const r = mm("weights", "check", M, at("albef.safetensors"), "--layout", "openai");
    expect(r.code).toBe(2);
    expect(r.err).toContain("layouts: timm, hf_blip, mm");
  });
});

describe("--dtype keep", () => {
  it("keeps half-precision tensors so in the ONNX file, widened by a Cast: half the size, the same outputs", async () => {
    if (!runnable) return;
    const wide = mm("compile", MODEL, "-o", at("wide.onnx"), "--weights", at("bf16-nested.pth"));
    const kept = mm("compile", MODEL, "-o", at("kept.onnx"), "--weights", at("bf16-nested.pth"), "--dtype", "keep");
    expect([wide.code, kept.code], kept.err).toEqual([0, 0]);
    const [a, b] = [readFileSync(at("wide.onnx")), readFileSync(at("kept.onnx"))];
    expect(b.length).toBeLessThan(a.length * 0.6);
    const ort = await import("onnxruntime-node");
    const run = async (bytes: Buffer): Promise<Record<string, number[]>> => {
      const sess = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "disabled", logSeverityLevel: 3 });
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
        pixel_values: new ort.Tensor("float32", Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i)), [2, 3, 32, 32]),
        input_ids: new ort.Tensor("int64", BigInt64Array.from({ length: 2 * 16 }, (_, i) => BigInt((i * 7) % 1000)), [2, 16]),
      };
      const out = await sess.run(feeds);
      await sess.release();
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...(v.data as Float32Array)]]));
    };
    expect(await run(b)).toEqual(await run(a)); // widening bfloat16 is exact, in mm or in the graph
    const check = spawnSync(PYTHON, ["-c", `import onnx; onnx.checker.check_model(onnx.load("${at("kept.onnx")}"), full_check=True)`], { encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
  });

  it.each(["bf16-nested.pth", "f16.pt"])("keeps %s's half-precision tensors so in a WebGPU plan's weights.bin, widened at load: the same outputs", async (file) => {
    if (!runnable || !(await dawnOrSkip("the WebGPU --dtype keep test"))) return;
    const wideDir = at(`wide-${file}.plan`), keptDir = at(`kept-${file}.plan`);
    const wide = mm("compile", MODEL, "--target", "webgpu", "-o", wideDir, "--bind", "B=2", "--weights", at(file));
    const kept = mm("compile", MODEL, "--target", "webgpu", "-o", keptDir, "--bind", "B=2", "--weights", at(file), "--dtype", "keep");
    expect([wide.code, kept.code], kept.err).toEqual([0, 0]);
    const [a, b] = [readPlanDir(wideDir), readPlanDir(keptDir)];
    expect([a.plan.version, b.plan.version]).toEqual([1, 2]);
    expect(b.weights.length).toBeLessThan(a.weights.length * 0.6);
    expect(b.plan.buffers.flatMap((x) => x.fills ?? []).some((f) => f.from === (file.startsWith("bf16") ? "bfloat16" : "float16"))).toBe(true);
    const inputs = {
      pixel_values: Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i)),
      input_ids: BigInt64Array.from({ length: 2 * 16 }, (_, i) => BigInt((i * 7) % 1000)),
    };
    const run = async (dir: string): Promise<Record<string, number[]>> => {
      const runner = await loadPlanDir(dir);
      try {
        const out = await runner.run(inputs);
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as ArrayLike<number>)]));
      } finally {
        runner.destroy();
      }
    };
    expect(await run(keptDir)).toEqual(await run(wideDir)); // widening is exact, at compile time or at load
  });

  it("goes with a checkpoint and the onnx or webgpu target", async () => {
    expect(mm("compile", MODEL, "-o", at("x.onnx"), "--weights", "random", "--dtype", "keep").err).toMatch(/--dtype keep goes with --weights CKPT/);
    expect(mm("compile", MODEL, "--target", "webgpu", "-o", at("plan"), "--bind", "B=2", "--dtype", "keep").err).toMatch(/--dtype keep goes with --weights CKPT/);
    expect((await mmAsync("compile", MODEL, "--target", "ts", "-o", at("ts"), "--bind", "B=2", "--dtype", "keep")).err).toMatch(/--dtype is for --target onnx and webgpu/);
  });
});

describe("the key report", () => {
  it("groups missing and unexpected keys by component and names the nearest one", () => {
    if (!runnable) return;
    const c = openCheckpoint(at("mm.safetensors"));
    const renamed = [...c.tensors.values()].map((t) => ({
      name: t.name.replace(".q_proj.", ".query."), dtype: t.dtype, shape: t.shape,
      chunks: () => [t.read(0, t.shape.reduce((a, b) => a * b, 1))],
    }));
    writeSafetensors(at("renamed.safetensors"), renamed);
    c.close();
    const r = mm("weights", "check", MODEL, at("renamed.safetensors"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/vision_model\.encoder\.layers\.\*\.self_attn\.q_proj\.weight: 2 missing/);
    expect(r.out).toMatch(/nearest in the checkpoint: vision_model\.encoder\.layers\.\*\.self_attn\.query\.weight/);
    expect(r.out).toMatch(/unexpected in the checkpoint: 8 keys in 4 groups/);
    expect(r.err).toContain("error MM6005: the checkpoint does not match CLIP_ViT_B32_Tiny: 8 missing, 8 unexpected, 0 mismatched");
    const excused = mm("weights", "check", MODEL, at("renamed.safetensors"), "--allow-missing", "**.q_proj.*", "--ignore-unexpected", "**.query.*");
    expect(excused.code, excused.out).toBe(0);
    expect(mm("compile", MODEL, "-o", at("renamed.onnx"), "--weights", at("renamed.safetensors"), "--allow-missing", "**.q_proj.*", "--ignore-unexpected", "**.query.*").code).toBe(0);
  });

  it("reports shape mismatches (another model's checkpoint)", () => {
    if (!runnable) return;
    const r = mm("weights", "check", "CLIP_ViT_B16_Tiny", at("f32.pt"));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/mismatched: \d+ tensors?/);
    expect(r.out).toMatch(/vision_model\.embeddings\.patch_embedding\.weight: model \[\d+, 3, 4, 4\] float32, checkpoint \[\d+, 3, 8, 8\] float32/);
  });

  it("--json gives the report as data", () => {
    if (!runnable) return;
    const r = mm("weights", "check", MODEL, at("f32.pt"), "--json");
    const j = JSON.parse(r.out) as { ok: boolean; matched: number; format: string };
    expect([j.ok, j.matched, j.format]).toEqual([true, 78, "pytorch zip"]);
  });
});

describe("hostile and broken files: a coded error, nothing run, nothing written", () => {
  const broken = (name: string, bytes: Uint8Array | string): string => {
    writeFileSync(at(name), bytes);
    return at(name);
  };
  const header = (json: string, data = 0): Buffer => {
    const h = Buffer.alloc(8);
    h.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    return Buffer.concat([h, Buffer.from(json), Buffer.alloc(data)]);
  };
  const cases: [string, () => string, string, RegExp][] = [
    ["a pickle that calls os.system", () => at("evil.pt"), "MM6003", /names the global posix\.system/],
    ["the legacy torch format", () => at("legacy.pt"), "MM6001", /legacy/],
    ["a TorchScript archive (OpenAI's CLIP releases)", () => at("torchscript.pt"), "MM6001", /TorchScript archive .*torch\.jit\.load\(path\)\.state_dict\(\)/],
    ["a truncated torch file", () => broken("truncated.pt", readFileSync(at("f32.pt")).subarray(0, 5000)), "MM6002", /end-of-central-directory|beyond the end/],
    ["a truncated safetensors file", () => broken("truncated.safetensors", readFileSync(at("mm.safetensors")).subarray(0, 9000)), "MM6002", /beyond the end|leave the file/],
    ["a wrong magic number (a text file)", () => broken("text.safetensors", "this is not a checkpoint at all\n"), "MM6002", /header length .* beyond the end/],
    ["a header length beyond the file", () => broken("long.safetensors", Buffer.concat([header("{}").subarray(0, 8).fill(0xff, 0, 4), Buffer.from("{}")])), "MM6002", /header length/],
    ["a tensor whose bytes leave the file", () => broken("range.safetensors", header('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', 8)), "MM6002", /leave the file/],
    ["a header that is not JSON", () => broken("json.safetensors", header("{nope", 8)), "MM6001", /not JSON/],
    ["an unknown dtype", () => broken("dtype.safetensors", header('{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}', 8)), "MM6004", /dtype C64/],
  ];
  it.each(cases)("%s", (_, make, code, message) => {
    if (!runnable) return;
    const file = make();
    const check = mm("weights", "check", MODEL, file);
    expect(check.code).toBe(1);
    expect(check.err).toContain(`error ${code}:`);
    expect(check.err).toMatch(message);
    const out = at(`${code}.onnx`);
    const r = mm("compile", MODEL, "-o", out, "--weights", file);
    expect(r.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(at("pwned"))).toBe(false);
  });

  it("copies of a good file still load (the cases above are the files, not the reader)", () => {
    if (!runnable) return;
    copyFileSync(at("f32.pt"), at("copy.pt"));
    expect(mm("weights", "check", MODEL, at("copy.pt")).code).toBe(0);
  });
});
