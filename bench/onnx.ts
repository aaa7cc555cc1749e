// ONNX backend benchmark (not part of the test suite). Run: npm run bench:onnx
//
// 1. Every stdlib model, structure only: ONNX nodes, bytes, the time compileToOnnx takes
//    (IR, passes, lowering, encoding; median of runs, alternating with the encode), the time protobufjs alone takes to
//    encode the same ModelProto (the floor the issue set; mm's own encoder, wire.ts, writes
//    the same bytes faster), and their ratio.
// 2. Peak RSS of `mm compile --weights random --external-data` for the largest stdlib
//    model, in a fresh child process (process.resourceUsage().maxRSS), against the same
//    compile structure-only, to show that memory stays flat with the size of the weights.
//    Needs free disk for twice the weights; when the largest model does not fit, or its
//    write would take longer than MAX_WRITE_S at the throughput measured on a smaller
//    model, the largest model that fits is measured instead, and the output says so.
//    The files are deleted afterwards. The same bytes are written by `dd conv=fsync` (from
//    /dev/zero, 8 MiB blocks) into the same folder, before and after the compile, and the
//    compile's throughput is printed as a ratio of theirs: the disk's speed, measured in
//    the same minutes (`--weights-model NAME` picks the model).
// 3. Peak RSS of a structure-only compile of one model at 6, 96 and 768 identical layers
//    (CLIP ViT-B/32 with its image tower's depth changed), each in a fresh child process,
//    beside the size of the file it writes.
//
// `--compile-only` stops after 1; `--no-weights` skips 2.
import { compileToOnnx } from "../compiler/driver/compile.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, statfsSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onnx, type ModelProto } from "../compiler/backends/onnx/index.js";
import { DTYPE_SIZE } from "../compiler/base/tensor.js";
import { paramDims } from "../compiler/ir/weights.js";
import { runCli } from "../compiler/cli/main.js";
import { Session } from "../compiler/driver/session.js";
import { isUnpublished } from "../compiler/elaborate/model.js";
import { median, time } from "./timing.js";

const MAX_WRITE_S = 360;
/** Timed runs of each compile and each encode. */
const RUNS = 9;

/** The baseline: protobufjs (onnx-proto's generated code) encoding the compile's ModelProto.
 *  mm writes the same bytes with its own encoder (backends/onnx/wire.ts). */
const protobufjsEncode = (m: ModelProto): Uint8Array => onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();


const gib = (n: number): string => `${(n / 2 ** 30).toFixed(2)} GiB`;
const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

interface ChildResult {
  readonly code: number;
  readonly seconds: number;
  readonly maxRssKiB: number;
  readonly out: string;
}

/** Child mode: `onnx.js --write MODEL OUT none|random`: one compile, then its numbers. */
function child(args: readonly string[]): void {
  const [model, out, weights] = args;
  const t0 = performance.now();
  let text = "";
  const code = runCli(["compile", model!, "-o", out!, "--weights", weights!, "--external-data"], { out: (s) => (text += s), err: (s) => process.stderr.write(s), color: false, tty: Boolean(process.stderr.isTTY) });
  const r: ChildResult = { code, seconds: (performance.now() - t0) / 1000, maxRssKiB: process.resourceUsage().maxRSS, out: text.trim() };
  process.stdout.write(JSON.stringify(r) + "\n");
}

function spawnWrite(model: string, out: string, weights: "none" | "random"): ChildResult {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, [self, "--write", model, out, weights], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child for ${model} failed (${r.status}): ${r.stdout}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
}

function main(): void {
  const session = new Session();
  const program = session.stdlib();
  const rows: Row[] = [];
  for (const ref of session.models(program)) {
    if (isUnpublished(ref.decl)) continue;
    const r = session.compile(ref, program);
    if (!r.checked) {
      console.warn(`warning: ${ref.name} does not check; skipped`);
      continue;
    }
    const c = r.checked;
    let out = compileToOnnx(c, r.sources); // warm up
    // The same ModelProto as plain objects (the compile's own holds its nodes encoded).
    const model = onnx.ModelProto.toObject(onnx.ModelProto.decode(out.bytes), { longs: Number, arrays: true }) as ModelProto;
    if (Buffer.compare(protobufjsEncode(model), out.bytes) !== 0) throw new Error(`${ref.name}: protobufjs writes other bytes than mm`);
    // Alternating, so that the machine's noise and the garbage one leaves for the other
    // fall on both alike; medians.
    const cs: number[] = [], es: number[] = [];
    for (let k = 0; k < RUNS; k++) {
      cs.push(time(() => void (out = compileToOnnx(c, r.sources)), 1));
      es.push(time(() => void protobufjsEncode(model), 1));
    }
    const compile = median(cs), encode = median(es);
    const params = out.ir.params.reduce((a, p) => a + paramDims(p).reduce((x, y) => x * y, 1), 0);
    const weights = out.ir.params.reduce((a, p) => a + paramDims(p).reduce((x, y) => x * y, 1) * DTYPE_SIZE[p.dtype], 0);
    rows.push({ name: ref.name, nodes: out.nodeCount, bytes: out.bytes.length, compile, encode, weights, params });
  }
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`ONNX, structure only (opset 17), median of ${RUNS} runs; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}\n`);
  console.log(`${"model".padEnd(w)}  ${"params".padStart(14)}  ${"nodes".padStart(6)}  ${"bytes".padStart(10)}  ${"compile ms".padStart(10)}  ${"encode ms".padStart(9)}  ratio`);
  for (const r of rows)
    console.log(`${r.name.padEnd(w)}  ${r.params.toLocaleString("en-US").padStart(14)}  ${String(r.nodes).padStart(6)}  ${String(r.bytes).padStart(10)}  ${r.compile.toFixed(1).padStart(10)}  ${r.encode.toFixed(1).padStart(9)}  ${(r.compile / r.encode).toFixed(1)}x`);
  const sum = (f: (r: (typeof rows)[number]) => number): number => rows.reduce((a, r) => a + f(r), 0);
  console.log(`${"total".padEnd(w)}  ${"".padStart(14)}  ${String(sum((r) => r.nodes)).padStart(6)}  ${String(sum((r) => r.bytes)).padStart(10)}  ${sum((r) => r.compile).toFixed(1).padStart(10)}  ${sum((r) => r.encode).toFixed(1).padStart(9)}  ${(sum((r) => r.compile) / sum((r) => r.encode)).toFixed(1)}x`);

  const full = rows.filter((r) => !r.name.endsWith("_Tiny")).sort((a, b) => b.compile / b.encode - a.compile / a.encode);
  console.log(`worst five full-size models: ${full.slice(0, 5).map((r) => `${r.name} ${(r.compile / r.encode).toFixed(1)}x`).join(", ")}`);
  if (process.argv.includes("--compile-only")) return;
  if (!process.argv.includes("--no-weights")) weightsVsDisk(rows);
  depthMemory();
}

/** Structure-only compile RSS as identical layers are added. */
function depthMemory(): void {
  const dir = mkdtempSync(join(tmpdir(), "mm-bench-depth-"));
  try {
    console.log("\nstructure-only compile, CLIP_ViT_B32 with N image-tower layers: peak RSS (fresh process) and the file written");
    for (const n of [6, 96, 768]) {
      const file = join(dir, `deep${n}.mm`);
      writeFileSync(file, `import "std/models/clip.mm"\nmodel Deep = CLIP_ViT_B32 with {\n  vision_model.depth = ${n}\n}\n`);
      const out = join(dir, `deep${n}.onnx`);
      const r = spawnWrite(`${file}#Deep`, out, "none");
      console.log(`  ${String(n).padStart(4)} layers: ${mib(r.maxRssKiB * 1024).padStart(10)} peak RSS, ${r.seconds.toFixed(2)} s, ${mib(statSync(out).size)} written`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `dd conv=fsync` of `bytes` into `dir`: seconds. */
function dd(dir: string, bytes: number): number {
  const out = join(dir, "dd.bin");
  const t0 = performance.now();
  const r = spawnSync("dd", ["if=/dev/zero", `of=${out}`, "bs=8M", `count=${Math.ceil(bytes / (8 << 20))}`, "conv=fsync"], { stdio: "ignore" });
  const s = (performance.now() - t0) / 1000;
  rmSync(out, { force: true });
  if (r.status !== 0) throw new Error("dd failed");
  return s;
}

type Row = { name: string; nodes: number; bytes: number; compile: number; encode: number; weights: number; params: number };

function weightsVsDisk(rows: readonly Row[]): void {
  // Peak RSS with streamed weights.
  const dir = mkdtempSync(join(tmpdir(), "mm-bench-onnx-"));
  try {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    const bySize = [...rows].sort((a, b) => b.weights - a.weights);
    const largest = bySize[0]!;
    // Throughput on a model of about 1-2 GiB.
    const probe = bySize.find((r) => r.weights < 2 * 2 ** 30 && 2 * r.weights < free)!;
    const p = spawnWrite(probe.name, join(dir, "probe.onnx"), "random");
    rmSync(join(dir, "probe.onnx"), { force: true });
    rmSync(join(dir, "probe.onnx.data"), { force: true });
    const rate = probe.weights / p.seconds;
    console.log(`\nthroughput: ${probe.name} (${gib(probe.weights)} of weights) written in ${p.seconds.toFixed(1)} s: ${mib(rate)}/s, peak RSS ${mib(p.maxRssKiB * 1024)}`);
    console.log(`free disk in ${tmpdir()}: ${gib(free)}`);
    const fits = (r: (typeof rows)[number]): boolean => 2 * r.weights < free && r.weights / rate < MAX_WRITE_S;
    const named = process.argv.indexOf("--weights-model");
    const pick = named > 0 ? bySize.find((r) => r.name === process.argv[named + 1]) : bySize.find(fits);
    if (!pick) throw new Error("no model fits the disk and the time budget");
    if (pick !== largest && named < 0) {
      const why = 2 * largest.weights >= free ? `needs ${gib(2 * largest.weights)} free, have ${gib(free)}` : `would take ~${(largest.weights / rate).toFixed(0)} s at ${mib(rate)}/s (> ${MAX_WRITE_S} s)`;
      console.log(`the largest model, ${largest.name} (${gib(largest.weights)}), is not measured: ${why}; measuring ${pick.name} instead`);
    }
    const out = join(dir, "model.onnx");
    const none = spawnWrite(pick.name, out, "none");
    rmSync(out, { force: true });
    const ddBefore = dd(dir, pick.weights);
    const rnd = spawnWrite(pick.name, out, "random");
    rmSync(out, { force: true });
    rmSync(`${out}.data`, { force: true });
    const ddAfter = dd(dir, pick.weights);
    const ddRate = (2 * pick.weights) / (ddBefore + ddAfter);
    console.log(`${pick.name}: ${pick.params.toLocaleString("en-US")} params, ${gib(pick.weights)} of float32 weights`);
    console.log(`  structure only:                         ${none.seconds.toFixed(1)} s, peak RSS ${mib(none.maxRssKiB * 1024)}`);
    console.log(`  --weights random --external-data:       ${rnd.seconds.toFixed(1)} s, peak RSS ${mib(rnd.maxRssKiB * 1024)} (${mib(pick.weights / rnd.seconds)}/s)`);
    console.log(`  ${rnd.out}`);
    console.log(`  dd conv=fsync of the same bytes, before and after: ${ddBefore.toFixed(1)} s and ${ddAfter.toFixed(1)} s (${mib(ddRate)}/s)`);
    console.log(`  weights written at ${(pick.weights / rnd.seconds / ddRate).toFixed(2)}x dd's throughput`);
    if (pick !== largest) console.log(`  extrapolated to ${largest.name}: ~${((largest.weights / pick.weights) * rnd.seconds).toFixed(0)} s; RSS does not grow with the weights`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === "--write") child(argv.slice(1));
else main();
