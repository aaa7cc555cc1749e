// The compiler API (compiler/api/, `mm-lang`'s main entry): docs/api.md's examples run as
// written, through the built package's self-reference, and print what the doc shows; and the
// API agrees with the CLI on the same model.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createCompiler, MmError } from "../../compiler/api/index.js";
import { mm as cli } from "../helpers.js";

const ROOT = join(import.meta.dirname, "..", "..");
const TMP = join(ROOT, "test", ".tmp", "api");

/** docs/api.md's ```js blocks, each with the ```text block that follows it. */
function examples(): { title: string; code: string; output: string }[] {
  const doc = readFileSync(join(ROOT, "docs", "api.md"), "utf8");
  const out: { title: string; code: string; output: string }[] = [];
  const re = /^## (.+)$|^```js\n([\s\S]*?)^```\n\s*^```text\n([\s\S]*?)^```$/gm;
  let title = "";
  for (const m of doc.matchAll(re)) {
    if (m[1] !== undefined) title = m[1];
    else out.push({ title, code: m[2]!, output: m[3]! });
  }
  return out;
}

describe("docs/api.md", () => {
  const all = examples();
  it("has examples", () => expect(all.length).toBeGreaterThanOrEqual(5));
  for (const [i, ex] of all.entries()) {
    it(`runs "${ex.title}" and prints what the doc shows`, () => {
      // The package must be built (npm test builds first): the example imports "mm-lang".
      expect(existsSync(join(ROOT, "dist", "compiler", "api", "index.js")), "run `npm run build` first").toBe(true);
      mkdirSync(TMP, { recursive: true });
      const file = join(TMP, `example-${i}.mjs`);
      writeFileSync(file, ex.code);
      try {
        const r = spawnSync(process.execPath, [file], { encoding: "utf8", cwd: ROOT });
        expect(r.stderr).toBe("");
        expect(r.stdout).toBe(ex.output);
      } finally {
        rmSync(file, { force: true });
      }
    }, 60_000);
  }
});

describe("the API", () => {
  const NET = `import "std/nn/layers.mm"\n\nmodel Net {\n  fc = Linear(4, 2)\n  input x: [B, 4]\n  forward { output y = fc(x) }\n}\n`;

  it("reads in-memory files before the disk, and throws the program's errors as data", () => {
    const mm = createCompiler({ root: "/nowhere", files: { "a.mm": NET, "b.mm": NET.replace("Linear(4, 2)", "Linear(5, 2)") } });
    expect(mm.params("a.mm").total).toBe(10);
    expect(mm.models(["a.mm"])[0]).toEqual({ name: "Net", file: "/nowhere/a.mm", stdlib: false });
    let err: unknown;
    try {
      mm.params("b.mm");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MmError);
    expect((err as MmError).diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([["MM4001", "/nowhere/b.mm", 6]]);
    expect(() => mm.params("c.mm")).toThrow(/cannot read '\/nowhere\/c.mm'/);
  });

  it("gives `mm summary --json` with --dtype and --train", () => {
    const mm = createCompiler({ root: "/nowhere", files: { "a.mm": NET } });
    const s = mm.summary("a.mm", { bind: { B: 2 }, dtype: "bfloat16", train: true });
    // Linear(4, 2): 10 params at 2 bytes; y [2, 2] at 2 bytes
    expect(s.memory.train).toEqual({ trainableParams: 10, weightBytes: 20, gradientBytes: 20, optimizerBytes: 80, activationBytes: 8, totalBytes: 128, stages: [] });
    expect(s.memory.peakActivationBytes).toBe(8);
    const viaCli = JSON.parse(cli("summary", "CLIP_ViT_B32_Tiny", "--dtype", "f16", "--train", "--json").out) as unknown;
    expect(createCompiler().summary("CLIP_ViT_B32_Tiny", { dtype: "float16", train: true })).toEqual(viaCli);
  });

  it("gives the bytes `mm compile` writes", () => {
    const out = join(TMP, "clip.onnx");
    mkdirSync(TMP, { recursive: true });
    try {
      expect(cli("compile", "CLIP_ViT_B32_Tiny", "-o", out, "--weights", "random", "--seed", "3").code).toBe(0);
      const bytes = createCompiler().compileOnnx("CLIP_ViT_B32_Tiny", { weights: { random: 3 } }).bytes;
      expect(Buffer.from(bytes).equals(readFileSync(out))).toBe(true);
    } finally {
      rmSync(out, { force: true });
    }
  });
});
