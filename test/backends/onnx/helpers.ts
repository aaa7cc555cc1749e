// Helpers for the ONNX backend tests: compile .mm models, run them in onnxruntime-node,
// validate with Debian's python3-onnx checker, and read weights back.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as ort from "onnxruntime-node";
import { Dim } from "../../../compiler/check/dims.js";
import type { CheckedModel } from "../../../compiler/check/check-model.js";
import { Session } from "../../../compiler/driver/session.js";
import { valueMap, type IrGraph } from "../../../compiler/ir/ir.js";
import type { ModelProto } from "../../../compiler/backends/onnx/proto.js";
import { mulberry32 } from "../../../compiler/backends/onnx/weights.js";
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

/** The exclusive upper bound for an int input: the smallest table, class count or axis
 *  it indexes (so ids stay in range), else 2. */
export function intBound(ir: IrGraph, value: number): number {
  const vm = valueMap(ir);
  let bound = Infinity;
  const dim = (id: number | null, axis: number): number => {
    const v = id === null ? undefined : vm.get(id);
    const d = v?.type.shape[axis < 0 ? v.type.shape.length + axis : axis]?.constValue();
    return d ?? Infinity;
  };
  for (const n of ir.nodes) {
    if (n.op === "embedding" && n.inputs[0] === value) bound = Math.min(bound, dim(n.inputs[1]!, 0));
    if (n.op === "cross_entropy" && n.inputs[1] === value) bound = Math.min(bound, dim(n.inputs[0]!, Number(n.attrs.axis)));
    if (n.op === "gather" && n.inputs[1] === value) bound = Math.min(bound, dim(n.inputs[0]!, Number(n.attrs.axis)));
    if (n.op === "one_hot" && n.inputs[0] === value) bound = Math.min(bound, Number(n.attrs.classes));
  }
  return Number.isFinite(bound) ? bound : 2;
}

/** Seeded inputs for the graph's data inputs, with symbolic dims bound. */
export function randomFeeds(ir: IrGraph, bind: ReadonlyMap<string, number>, seed = 7): { feeds: Feeds; values: Map<string, Float64Array> } {
  const rand = mulberry32(seed);
  const vm = valueMap(ir);
  const feeds: Feeds = {};
  const values = new Map<string, Float64Array>();
  for (const i of ir.inputs) {
    const t = vm.get(i.value)!.type;
    const dims = concrete(t.shape, bind);
    const n = dims.reduce((a, b) => a * b, 1);
    if (t.dtype === "bool") {
      // Masks: mostly true, so no row is masked out entirely by chance.
      const xs = Float64Array.from({ length: n }, (_, k) => (k === 0 || rand() < 0.8 ? 1 : 0));
      values.set(i.name, xs);
      feeds[i.name] = new ort.Tensor("bool", Uint8Array.from(xs), dims);
    } else if (t.dtype === "int64") {
      const hi = intBound(ir, i.value);
      const xs = Float64Array.from({ length: n }, () => Math.floor(rand() * hi));
      values.set(i.name, xs);
      feeds[i.name] = new ort.Tensor("int64", BigInt64Array.from(xs, (x) => BigInt(x)), dims);
    } else {
      const xs = Float64Array.from({ length: n }, () => Math.fround(2 * rand() - 1));
      values.set(i.name, xs);
      feeds[i.name] = new ort.Tensor("float32", Float32Array.from(xs), dims);
    }
  }
  return { feeds, values };
}

export function concrete(shape: readonly Dim[], bind: ReadonlyMap<string, number>): number[] {
  const b = new Map([...bind].map(([k, v]) => [k, Dim.const(v)]));
  return shape.map((d) => {
    const c = d.substitute(b).constValue();
    if (c === undefined) throw new Error(`dim ${d.toString()} is not bound`);
    return c;
  });
}

export interface Ran {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

/** One onnxruntime session, one run; outputs as float64 arrays. */
export async function runOnnx(bytes: Uint8Array, feeds: Feeds): Promise<Map<string, Ran>> {
  const sess = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
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
