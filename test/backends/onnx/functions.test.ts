// ONNX local functions (`--functions`, compiler/backends/onnx/functions.ts): block
// instances become calls of shared FunctionProtos in the mm.blocks domain. The files pass
// the checker (full_check), onnxruntime gives the inlined model's outputs, identical
// instances share one function, the file is smaller, and the bytes are deterministic.
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../../compiler/cli/main.js";
import { Session } from "../../../compiler/driver/session.js";
import { type OnnxResult } from "../../../compiler/backends/onnx/index.js";
import { FUNCTION_DOMAIN } from "../../../compiler/backends/onnx/functions.js";
import { onnx, type ModelProto } from "../../../compiler/backends/onnx/proto.js";
import { heavyLock } from "../../heavy-lock.js";
import { compileFile, pythonCheck, randomFeeds, runOnnx, tempDir, writeTemp, type Compiled, type Feeds } from "./helpers.js";

const dirs: string[] = [];
const fresh = (): string => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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

/** How many call nodes of each function, over the main graph and every function body. */
function callCounts(m: ModelProto): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of [...m.graph!.node!, ...(m.functions ?? []).flatMap((f) => f.node ?? [])])
    if (n.domain === FUNCTION_DOMAIN) counts.set(n.opType!, (counts.get(n.opType!) ?? 0) + 1);
  return counts;
}

function expectClose(a: Map<string, { dims: readonly number[]; data: Float64Array }>, b: typeof a): void {
  expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
  for (const [k, r] of a) {
    const s = b.get(k)!;
    expect([k, [...s.dims]]).toEqual([k, [...r.dims]]);
    const worst = r.data.reduce((m, x, i) => Math.max(m, Math.abs(x - s.data[i]!) / (1 + Math.abs(x))), 0);
    expect([k, worst]).toEqual([k, expect.any(Number)]);
    expect([k, worst <= 1e-5]).toEqual([k, true]);
  }
}

const files = ["examples/clip.mm", "examples/cross_attention.mm", "examples/early_fusion.mm", "examples/modality_experts.mm", "test/backends/onnx/tiny_clip.mm", "test/backends/onnx/zoo.mm"];
const models = new Map<string, Compiled>(files.flatMap((f) => [...compileFile(f)]));
const clip = models.get("CLIP")!;

describe("--functions: ONNX local functions", () => {
  it("CLIP: 12 identical resblocks per tower share one function; few functions; smaller file; checker passes", () => {
    const inlined = compileToOnnx(clip.checked, clip.sources, { weights: "none" });
    const fn = compileToOnnx(clip.checked, clip.sources, { weights: "none", functions: true });
    expect(inlined.model.functions ?? []).toEqual([]);
    const fns = fn.model.functions!;
    const names = fns.map((f) => f.name!);
    expect(new Set(names).size).toBe(names.length);
    expect(fns.length).toBeLessThanOrEqual(16);
    const calls = callCounts(fn.model);
    const blocks = names.filter((n) => n.startsWith("ResidualAttentionBlock"));
    expect(blocks.length).toBe(2); // the vision tower's width and the text tower's (with its mask)
    expect(blocks.map((b) => calls.get(b))).toEqual([12, 12]);
    // The main graph calls the towers; parameters stay there, at their dotted paths.
    expect(fn.model.graph!.node!.filter((n) => n.domain === FUNCTION_DOMAIN).map((n) => n.name)).toEqual(["vision", "text"]);
    expect(fn.model.graph!.input!.map((i) => i.name)).toEqual(inlined.model.graph!.input!.map((i) => i.name));
    expect(fn.model.opsetImport).toEqual([{ domain: "", version: 17 }, { domain: FUNCTION_DOMAIN, version: 1 }]);
    expect(fn.bytes.length).toBeLessThan(inlined.bytes.length / 2);
    // Deterministic.
    const again = compileToOnnx(clip.checked, clip.sources, { weights: "none", functions: true });
    expect(Buffer.compare(Buffer.from(fn.bytes), Buffer.from(again.bytes))).toBe(0);
    const dir = fresh();
    expectChecks([writeTemp(dir, "clip.onnx", fn.bytes)]);
  });

  // Debian's onnx (1.12) knows opsets up to 17; onnxruntime runs the later ones (below).
  it("every test model passes the checker with --functions (opset 17)", () => {
    const dir = fresh();
    const paths = [...models].map(([name, c]) => writeTemp(dir, `${name}.onnx`, compileToOnnx(c.checked, c.sources, { functions: true }).bytes));
    expectChecks(paths);
  });

  for (const name of ["TinyAlbef", "TinyMultiway", "TinySingleStream", "TinyCLIP", "OpZoo", "Doubled"]) {
    it(`${name}: onnxruntime outputs equal the inlined model's (opset 17 and 23)`, async () => {
      const c = models.get(name)!;
      for (const opset of [17, 23]) {
        const inlined = compileToOnnx(c.checked, c.sources, { opset, weights: { random: 2 } });
        const fn = compileToOnnx(c.checked, c.sources, { opset, weights: { random: 2 }, functions: true });
        if (name !== "OpZoo" && name !== "Doubled") expect(fn.model.functions!.length).toBeGreaterThan(0);
        const { feeds } = randomFeeds(inlined.ir, new Map([["B", 2], ["T", 3]]), 5);
        expectClose(await runOnnx(inlined.bytes, feeds), await runOnnx(fn.bytes, feeds));
      }
    });
  }

  it("TinyMultiway: a repeat stack whose layers differ gets one function per distinct body, with a hash suffix", () => {
    const c = models.get("TinyMultiway")!;
    const fn: OnnxResult = compileToOnnx(c.checked, c.sources, { functions: true });
    const layers = fn.model.functions!.map((f) => f.name!).filter((n) => n.startsWith("MultiwayLayer"));
    expect(layers.length).toBeGreaterThanOrEqual(2);
    for (const l of layers) expect(l).toMatch(/^MultiwayLayer_[0-9a-f]{6,}$/);
  });

  // onnxruntime's 0.9 GiB for CLIP stay with this process until the file ends: no Chromium
  // or other full-size run beside it until then (heavy-lock.ts).
  let release = (): void => {};
  afterAll(() => release());
  it("mm compile --functions: examples/clip.mm#CLIP with random weights runs like the inlined file", async () => {
    release = await heavyLock();
    const session = new Session();
    const mm = (args: readonly string[]): number => runCli(args, { out: () => {}, err: () => {}, color: false, tty: false }, session);
    const dir = fresh();
    const [a, b] = [join(dir, "inlined.onnx"), join(dir, "functions.onnx")];
    // External data: onnxruntime reads the 600 MB of weights from the files, one session at a
    // time, and the test never holds them as JavaScript buffers (it once peaked at 3.5 GB).
    expect(mm(["compile", "examples/clip.mm#CLIP", "-o", a, "--weights", "random", "--seed", "4", "--external-data"])).toBe(0);
    expect(mm(["compile", "examples/clip.mm#CLIP", "-o", b, "--weights", "random", "--seed", "4", "--functions", "--external-data"])).toBe(0);
    const model = onnx.ModelProto.decode(readFileSync(b));
    expect(model.functions.length).toBeGreaterThan(0);
    // Weights are initializers of the main graph, by path.
    expect(model.graph!.initializer!.some((t) => t.name === "vision.transformer.resblocks.3.attn.in_proj_weight")).toBe(true);
    const B = 2;
    const feeds: Feeds = {
      pixels: new ort.Tensor("float32", Float32Array.from({ length: B * 3 * 224 * 224 }, (_, i) => Math.sin(i * 12.9898) * 0.5), [B, 3, 224, 224]),
      tokens: new ort.Tensor("int64", BigInt64Array.from({ length: B * 77 }, (_, i) => BigInt((i * 37) % 1000)), [B, 77]),
    };
    const inlined = await runOnnx(a, feeds);
    expectClose(inlined, await runOnnx(b, feeds));
  }, 240_000); // it may wait for another file's heavy step (heavy-lock.ts)
});
