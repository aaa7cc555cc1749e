// Every stdlib model compiles to ONNX: structure only, each passes Debian's onnx checker
// (full_check; one python process for all files); every _Tiny model also runs in
// onnxruntime-node (CPU) with random weights and inputs, its outputs have the checker's
// shapes with the symbolic dims bound, and hold no NaN or Inf.
import { compileToOnnx, lowerToOnnx } from "../../../compiler/driver/compile.js";
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, describe, expect, it } from "vitest";
import { writeOnnx } from "../../../compiler/backends/onnx/write.js";
import type { CheckedModel } from "../../../compiler/check/check-model.js";
import { Session } from "../../../compiler/driver/session.js";
import { isUnpublished } from "../../../compiler/elaborate/model.js";
import { valueMap, type IrGraph } from "../../../compiler/ir/ir.js";
import { mulberry32 } from "../../../compiler/ir/weights.js";
import { defaultBindings } from "../../../compiler/tools/inputs.js";
import { concrete, intBound, pythonCheck, runOnnx, tempDir, type Feeds } from "./helpers.js";

const session = new Session();
const program = session.stdlib();
const models = session.models(program).filter((m) => !isUnpublished(m.decl));
const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const checked = new Map<string, { checked: CheckedModel; sources: ReadonlyMap<string, string> }>();
function compiled(name: string): { checked: CheckedModel; sources: ReadonlyMap<string, string> } {
  let c = checked.get(name);
  if (!c) {
    const ref = models.find((m) => m.name === name)!;
    const r = session.compile(ref, program);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (!r.checked || errors.length) throw new Error(`${name}: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
    c = { checked: r.checked, sources: r.sources };
    checked.set(name, c);
  }
  return c;
}

/** Floats uniform in [0.05, 1) (positive: some float inputs are probabilities, such as
 *  CDUL's pseudo-labels, whose KL divergence would be NaN for negative ones), ints in [0, bound) (bound: the table or class count they
 *  index, else 2), int masks 1, bool inputs true. */
function feeds(ir: IrGraph, bind: ReadonlyMap<string, number>): Feeds {
  const rand = mulberry32(11);
  const vm = valueMap(ir);
  const out: Feeds = {};
  for (const i of ir.inputs) {
    const t = vm.get(i.value)!.type;
    const dims = concrete(t.shape, bind);
    const n = dims.reduce((a, b) => a * b, 1);
    if (t.dtype === "bool") out[i.name] = new ort.Tensor("bool", new Uint8Array(n).fill(1), dims);
    else if (t.dtype === "int64") {
      const hi = /mask/.test(i.name) ? 1 : intBound(ir, i.value);
      out[i.name] = new ort.Tensor("int64", BigInt64Array.from({ length: n }, () => BigInt(/mask/.test(i.name) ? 1 : Math.floor(rand() * hi))), dims);
    } else out[i.name] = new ort.Tensor("float32", Float32Array.from({ length: n }, () => 0.05 + 0.95 * rand()), dims);
  }
  return out;
}

describe("every stdlib model compiles to ONNX", () => {
  it("finds the stdlib models and their tiny variants", () => {
    expect(models.length).toBeGreaterThan(50);
    expect(models.filter((m) => m.name.endsWith("_Tiny")).length).toBeGreaterThan(25);
  });

  it("structure only: every model passes onnx.checker.check_model(full_check=True)", () => {
    // A model that does not check is reported after the checker has run on the others.
    const broken: string[] = [];
    const paths = models.flatMap((m) => {
      let c;
      try {
        c = compiled(m.name);
      } catch (e) {
        broken.push(e instanceof Error ? e.message : String(e));
        return [];
      }
      const path = join(dir, `${m.name}.onnx`);
      writeOnnx(path, lowerToOnnx(c.checked, c.sources, { weights: "none" }), { weights: "none" });
      return [path];
    });
    const r = pythonCheck(paths);
    if (!r) {
      if (process.env.CI === "true") throw new Error("/usr/bin/python3 cannot import onnx (install python3-onnx)");
      console.warn("SKIPPED: /usr/bin/python3 has no onnx module; the ONNX checker did not run on the stdlib models");
    } else {
      expect(r.output.split("\n").filter((l) => l.startsWith("FAIL"))).toEqual([]);
      expect(r.ok).toBe(true);
    }
    expect(broken).toEqual([]);
  });

  for (const m of models.filter((x) => x.name.endsWith("_Tiny"))) {
    it(`${m.name}: runs in onnxruntime with random weights; shapes as inferred, values finite`, async () => {
      const c = compiled(m.name);
      const out = compileToOnnx(c.checked, c.sources, { weights: { random: 1 } });
      const bind = defaultBindings(out.ir);
      const ran = await runOnnx(out.bytes, feeds(out.ir, bind));
      const vm = valueMap(out.ir);
      expect(ran.size).toBe(out.ir.outputs.length);
      for (const o of out.ir.outputs) {
        const r = ran.get(o.name)!;
        expect([o.name, [...r.dims]]).toEqual([o.name, concrete(vm.get(o.value)!.type.shape, bind)]);
        expect([o.name, r.data.findIndex((x) => !Number.isFinite(x))]).toEqual([o.name, -1]);
      }
    });
  }
});
