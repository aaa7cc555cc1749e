// Every model of examples/*.mm compiles to ONNX (structure only) and passes Debian's
// onnx checker with full_check (strict shape inference against our value_info); the bytes
// are identical across compiles.
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile, pythonCheck, tempDir, writeTemp } from "./helpers.js";

const files = readdirSync("examples").filter((f) => f.endsWith(".mm")).sort().map((f) => join("examples", f));
const all = files.flatMap((f) => [...compileFile(f)].map(([name, c]) => ({ file: f, name, c })));
const extra = [...compileFile("test/backends/onnx/zoo.mm"), ...compileFile("test/backends/onnx/tiny_clip.mm")].map(([name, c]) => ({ file: "test", name, c }));

describe("examples compile to ONNX", () => {
  it("finds the example models", () => {
    expect(all.map((m) => m.name)).toEqual(expect.arrayContaining(["CLIP", "CLIP_L14", "TinyAlbef", "TinySingleStream", "TinyMultiway"]));
  });

  it("passes onnx.checker.check_model(full_check=True) for every model (weights none, opset 17)", () => {
    const dir = tempDir();
    const paths = [...all, ...extra].map((m) => writeTemp(dir, `${m.name}.onnx`, compileToOnnx(m.c.checked, m.c.sources, { weights: "none" }).bytes));
    const r = pythonCheck(paths);
    if (!r) {
      if (process.env.CI === "true") throw new Error("/usr/bin/python3 cannot import onnx (install python3-onnx)");
      console.warn("SKIPPED: /usr/bin/python3 has no onnx module; the ONNX checker test did not run");
      return;
    }
    expect(r.output).not.toMatch(/FAIL/);
    expect(r.ok).toBe(true);
  });

  it("is deterministic: two compiles give byte-identical models", () => {
    for (const m of [...all, ...extra]) {
      const a = compileToOnnx(m.c.checked, m.c.sources, { weights: "none" }).bytes;
      const b = compileToOnnx(m.c.checked, m.c.sources, { weights: "none" }).bytes;
      expect([m.name, Buffer.compare(Buffer.from(a), Buffer.from(b))]).toEqual([m.name, 0]);
    }
    const tiny = all.find((m) => m.name === "TinyAlbef")!.c;
    const r1 = compileToOnnx(tiny.checked, tiny.sources, { weights: { random: 5 }, opset: 23 }).bytes;
    const r2 = compileToOnnx(tiny.checked, tiny.sources, { weights: { random: 5 }, opset: 23 }).bytes;
    expect(Buffer.compare(Buffer.from(r1), Buffer.from(r2))).toBe(0);
  });

  it("compiles every task of every model", () => {
    for (const m of all) {
      for (const t of m.c.checked.model.tasks) {
        const out = compileToOnnx(m.c.checked, m.c.sources, { task: t.name });
        const names = out.model.graph!.output!.map((o) => o.name);
        expect(names).toEqual([...t.outputs, ...t.losses.map((l) => `loss_${l}`)]);
      }
    }
  });
});
