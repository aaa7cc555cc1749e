// Helpers for the ONNX backend tests: compile .mm models, run them in onnxruntime-node,
// validate with Debian's python3-onnx checker, and read weights back.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import type { CheckedModel } from "../../../compiler/check/check-model.js";
import { Session } from "../../../compiler/driver/session.js";
import type { IrGraph } from "../../../compiler/ir/ir.js";
import type { ModelProto } from "../../../compiler/backends/onnx/proto.js";
import { randomInputs } from "../../../compiler/tools/inputs.js";
import { project } from "../../helpers.js";

export interface Compiled {
  readonly checked: CheckedModel;
  readonly sources: ReadonlyMap<string, string>;
}

const session = new Session();

/** Every model of a .mm file, compiled and checked (errors fail the test). */
export function compileFile(path: string): Map<string, Compiled> {
  const program = session.load([resolve(path)]);
  const out = new Map<string, Compiled>();
  for (const ref of session.models(program)) {
    const r = session.compile(ref, program);
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    if (!r.checked || errors.length) throw new Error(`${path}#${ref.name}: ${errors.map((d) => `${d.code} ${d.message}`).join("; ")}`);
    out.set(ref.name, { checked: r.checked, sources: r.sources });
  }
  return out;
}

/** The models of a program text written to a temp project. */
export function compileText(text: string): Map<string, Compiled> {
  return compileFile(project({ "main.mm": text }).path("main.mm"));
}

export type Feeds = Record<string, ort.Tensor>;

export { concrete, intBound } from "../../../compiler/tools/inputs.js";

/** Seeded inputs for the graph's data inputs, with symbolic dims bound, as onnxruntime
 *  tensors (compiler/tools/inputs.ts generates them; `mm run` uses the same values). */
export function randomFeeds(ir: IrGraph, bind: ReadonlyMap<string, number>, seed = 7): { feeds: Feeds; values: Map<string, Float64Array> } {
  const feeds: Feeds = {};
  const values = new Map<string, Float64Array>();
  for (const x of randomInputs(ir, bind, seed)) {
    values.set(x.name, x.values);
    feeds[x.name] = new ort.Tensor(x.dtype === "bool" ? "bool" : x.dtype === "int64" ? "int64" : "float32", x.data, x.dims);
  }
  return { feeds, values };
}

export interface Ran {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

/** One onnxruntime session, one run; outputs as float64 arrays. */
/** One onnxruntime session over bytes, or over a file (whose external data onnxruntime reads
 *  itself, so a 600 MB model is not also held as a JavaScript buffer). */
export async function runOnnx(model: Uint8Array | string, feeds: Feeds): Promise<Map<string, Ran>> {
  const sess = typeof model === "string"
    ? await ort.InferenceSession.create(model, { logSeverityLevel: 3 })
    : await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  try {
    const out = await sess.run(feeds);
    const m = new Map<string, Ran>();
    for (const [k, v] of Object.entries(out)) m.set(k, { dims: v.dims, data: Float64Array.from(v.data as ArrayLike<number | bigint>, (x) => Number(x)) });
    return m;
  } finally {
    await sess.release();
  }
}

/** Parameter initializers as float64 arrays, by name (float32 raw data). */
export function initializers(model: ModelProto): Map<string, Float64Array> {
  const m = new Map<string, Float64Array>();
  for (const t of model.graph?.initializer ?? []) {
    const raw = t.rawData!;
    if (t.dataType !== 1) continue;
    const f = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    m.set(t.name!, Float64Array.from(f));
  }
  return m;
}

const CHECK = [
  "import sys",
  "try:\n    import onnx\nexcept ImportError:\n    print('NO_ONNX'); sys.exit(3)",
  "bad = 0",
  "for p in sys.argv[1:]:\n    try:\n        onnx.checker.check_model(p, full_check=True); print('OK', p)\n    except Exception as e:\n        bad += 1; print('FAIL', p, str(e).replace(chr(10), ' ')[:2000])",
  "sys.exit(1 if bad else 0)",
].join("\n");

/** Runs Debian's onnx checker (full_check) over files in one python process. Returns
 *  undefined when python3-onnx is missing (the caller skips, loudly). */
export function pythonCheck(paths: readonly string[]): { ok: boolean; output: string } | undefined {
  const r = spawnSync("/usr/bin/python3", ["-c", CHECK, ...paths], { encoding: "utf8" });
  if (r.error || r.status === 3 || /NO_ONNX/.test(r.stdout ?? "")) return undefined;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mm-onnx-"));
}

export function writeTemp(dir: string, name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
