// `--target ts`: the generated bindings are deterministic, type-check under `tsc --strict`
// against the runtime package (self-reference "mm-lang/runtime"), and their load()/run()
// agree on the mm WebGPU runtime (Dawn) and in onnxruntime-node.
import { compileToOnnx, compileToWebGpu } from "../../../compiler/driver/compile.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writePlanDir } from "../../../compiler/backends/webgpu/index.js";
import { defaultBindings } from "../../../compiler/tools/inputs.js";
import { DEFAULT_TS_OPTIONS, emitTypeScript } from "../../../compiler/backends/webgpu/typescript.js";
import { Session } from "../../../compiler/driver/session.js";
import type { Plan, PlanTensor } from "../../../runtime/plan.js";
import { randomFeeds } from "../onnx/helpers.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const MODELS = ["CLIP_ViT_B32_Tiny", "ViLT_B32_Tiny", "BLIP2_OPT_2_7B_Tiny"];
const SWIFTSHADER = "/usr/lib/chromium/vk_swiftshader_icd.json";
const vulkan = process.env.VK_ICD_FILENAMES ?? (existsSync(SWIFTSHADER) ? SWIFTSHADER : undefined);
const ci = process.env.CI === "true";
if (!vulkan && !ci) console.warn(`SKIPPING the generated-bindings run: no Vulkan driver for Dawn (install chromium for ${SWIFTSHADER}, or set VK_ICD_FILENAMES); it fails instead when CI=true`);

const session = new Session();
const std = session.stdlib();

interface Generated {
  readonly name: string;
  readonly plan: Plan;
  readonly text: string;
  readonly dir: string;
  readonly inputs: Map<string, Float64Array>;
}

function compile(name: string): { plan: Plan; weights: Uint8Array; onnx: Uint8Array; inputs: Map<string, Float64Array> } {
  const ref = session.models(std).find((m) => m.name === name);
  const r = ref && session.compile(ref, std);
  if (!r?.checked) throw new Error(`${name} does not check`);
  const onnx = compileToOnnx(r.checked, r.sources, { weights: { random: 1 } });
  const bind = defaultBindings(onnx.ir);
  const gpu = compileToWebGpu(r.checked, { bind, weights: { random: 1 } });
  return { plan: gpu.plan, weights: gpu.weights, onnx: onnx.bytes, inputs: randomFeeds(onnx.ir, bind, 5).values };
}

const options = (name: string): typeof DEFAULT_TS_OPTIONS => ({ ...DEFAULT_TS_OPTIONS, onnxFile: `./${name}.onnx` });

// Inside the repo, so the generated module resolves "mm-lang/runtime" by self-reference.
mkdirSync(join(ROOT, "test/.tmp"), { recursive: true });
const work = mkdtempSync(join(ROOT, "test/.tmp/ts-"));
const generated: Generated[] = [];

beforeAll(() => {
  for (const name of MODELS) {
    const c = compile(name);
    const dir = join(work, name);
    mkdirSync(dir);
    writePlanDir(join(dir, "plan"), c);
    writeFileSync(join(dir, `${name}.onnx`), c.onnx);
    const text = emitTypeScript(c.plan, options(name));
    writeFileSync(join(dir, `${name}.ts`), text);
    generated.push({ name, plan: c.plan, text, dir, inputs: c.inputs });
  }
}, 120_000);
afterAll(() => { if (!process.env.MM_KEEP_TMP) rmSync(work, { recursive: true, force: true }); });

const DATA: Record<PlanTensor["dtype"], string> = { float32: "Float32Array", int64: "BigInt64Array", int32: "Int32Array", bool: "Uint8Array" };
const OUT_DATA: Record<PlanTensor["dtype"], string> = { float32: "Float32Array", int64: "Int32Array", int32: "Int32Array", bool: "Uint8Array" };
const numel = (t: PlanTensor): number => t.shape.reduce((a, b) => a * b, 1);

/** A caller of the generated API whose types must hold (and one call that must not type-check). */
function usage(g: Generated): string {
  const ins = g.plan.inputs.map((t) => `${t.name}: new ${DATA[t.dtype]}(${numel(t)}),`).join("\n  ");
  const outs = g.plan.outputs.map((t) => `const _${t.name}: ${OUT_DATA[t.dtype]} = out.${t.name}.data;`).join("\n");
  const first = g.plan.inputs[0]!;
  return `import { load, inputShapes, outputShapes, type Inputs } from "./${g.name}/${g.name}.js";
const inputs: Inputs = {\n  ${ins}\n};
const model = await load({ backend: "webgpu" });
const out = await model.run(inputs);
${outs}
const _shape: readonly number[] = inputShapes.${first.name};
const _n: ${first.shape.length} = inputShapes.${first.name}.length;
void outputShapes;
// @ts-expect-error a missing input
await model.run({ ${first.name}: inputs.${first.name} });
await model.dispose();
export {};
`;
}

describe("mm compile --target ts", () => {
  it("generates byte-identical text from separate compiles, with shapes in TSDoc", () => {
    for (const g of generated) expect(emitTypeScript(compile(g.name).plan, options(g.name)), g.name).toBe(g.text);
    const clip = generated[0]!.text;
    expect(clip).toContain("/** [2, 3, 32, 32] float32 */\n  readonly pixel_values: Float32Array;");
    expect(clip).toContain("readonly input_ids: BigInt64Array | Int32Array;");
    expect(clip).toContain("export const inputShapes = { pixel_values: [2, 3, 32, 32], input_ids: [2, 16] } as const;");
    expect(clip).toMatch(/^\/\/ Generated by mm from the model CLIP_ViT_B32_Tiny, shapes bound to B=2/);
  }, 120_000);

  it("type-checks with tsc --strict against the runtime package", () => {
    for (const g of generated) writeFileSync(join(work, `use-${g.name}.ts`), usage(g));
    writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", types: ["node", "@webgpu/types"], noEmit: true },
      include: ["**/*.ts"],
    }));
    const r = spawnSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(work, "tsconfig.json")], { encoding: "utf8" });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe("");
    expect(r.status).toBe(0);
  }, 120_000);

  it.skipIf(!vulkan && !ci)("runs on the WebGPU runtime and in onnxruntime, agreeing to 1e-3", () => {
    expect(vulkan, "a Vulkan driver for Dawn is required when CI=true").toBeDefined();
    expect(existsSync(join(ROOT, "dist/runtime/index.js")), "the runtime is not built: run npm run build").toBe(true);
    for (const g of generated) {
      buildSync({ entryPoints: [join(g.dir, `${g.name}.ts`)], outfile: join(g.dir, `${g.name}.js`), format: "esm", logLevel: "warning" });
      const spec = Object.fromEntries(g.plan.inputs.map((t) => [t.name, { dtype: t.dtype, data: Array.from(g.inputs.get(t.name)!) }]));
      writeFileSync(join(g.dir, "inputs.json"), JSON.stringify(spec));
    }
    writeFileSync(join(work, "drive.mjs"), DRIVER);
    // A child process: the module is imported the way a user's Node program would.
    const r = spawnSync(process.execPath, [join(work, "drive.mjs"), ...MODELS], { encoding: "utf8", env: { ...process.env, VK_ICD_FILENAMES: vulkan }, timeout: 560_000 });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    const worst: string[] = [];
    for (const g of generated) {
      let rel = 0;
      const res = JSON.parse(readFileSync(join(g.dir, "outputs.json"), "utf8")) as Record<string, Record<string, { shape: number[]; type: string; data: number[] }>>;
      for (const o of g.plan.outputs) {
        const gpu = res.webgpu![o.name]!, ort = res.onnxruntime![o.name]!;
        expect([gpu.shape, ort.shape, gpu.type, ort.type], `${g.name}.${o.name}`).toEqual([o.shape, o.shape, OUT_DATA[o.dtype], OUT_DATA[o.dtype]]);
        const maxRef = Math.max(...ort.data.map(Math.abs), 1e-6);
        const maxDiff = Math.max(0, ...gpu.data.map((v, k) => Math.abs(v - ort.data[k]!)));
        expect(maxDiff / maxRef, `${g.name}.${o.name} relative error`).toBeLessThan(1e-3);
        rel = Math.max(rel, maxDiff / maxRef);
      }
      worst.push(`${g.name} ${rel.toExponential(2)}`);
    }
    console.log(`largest relative difference, webgpu vs onnxruntime: ${worst.join(", ")}`);
  }, 600_000); // SwiftShader compiles each kernel with LLVM: tens of seconds per model on a busy CPU
});

// Loads each generated module like a user would (plain Node, the built package) and runs
// it on both backends with the inputs the test wrote.
const DRIVER = `import { readFileSync, writeFileSync } from "node:fs";
const TYPED = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };
for (const name of process.argv.slice(2)) {
  const dir = new URL("./" + name + "/", import.meta.url);
  const spec = JSON.parse(readFileSync(new URL("inputs.json", dir), "utf8"));
  const inputs = Object.fromEntries(Object.entries(spec).map(([k, { dtype, data }]) =>
    [k, dtype === "int64" ? BigInt64Array.from(data, (v) => BigInt(v)) : TYPED[dtype].from(data)]));
  const m = await import(new URL(name + ".js", dir).href);
  const res = {};
  for (const backend of ["webgpu", "onnxruntime"]) {
    const model = await m.load({ backend });
    const out = await model.run(inputs);
    res[backend] = Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { shape: [...t.shape], type: t.data.constructor.name, data: Array.from(t.data) }]));
    await model.dispose();
  }
  writeFileSync(new URL("outputs.json", dir), JSON.stringify(res));
}
`;
