#!/usr/bin/env node
// Compares what two builds of mm write for every stdlib model and example: a refactoring
// must leave every output byte-identical (or list the intended differences).
//
//   node scripts/compare-builds.mjs BASE_DIR HEAD_DIR [--only NAME,...]
//
// BASE_DIR and HEAD_DIR are checkouts with `npm run build` done (e.g. a `git worktree` of
// the commit before the change, and this one). For each model: `check` (text and --json),
// `shapes`, `params`, `summary` (text and --json), ONNX structure-only (inlined and
// --functions), ONNX with random weights for models under 50M parameters, and, for _Tiny
// models, the WebGPU plan (every symbolic dim bound to 2); plus `diff` of each variant against
// its base. With `--weights-under N`, also `--weights random --external-data` (model and
// data file) for every model under N parameters, to hold the weight generator to the same
// bytes. Outputs are
// compared byte for byte (written files by their SHA-256) (paths to the checkout are replaced by a placeholder first, since
// they differ by construction). Prints one line per difference and exits 1 if there is any.
import { createHash } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const args = process.argv.slice(2);
const [baseDir, headDir] = args.filter((a) => !a.startsWith("--")).map((d) => resolve(d));
if (!baseDir || !headDir) {
  console.error("usage: node scripts/compare-builds.mjs BASE_DIR HEAD_DIR [--only NAME,...]");
  process.exit(2);
}
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const only = opt("--only")?.split(",");
const weightsUnder = Number(opt("--weights-under") ?? 0);

/** Each checkout's CLI, loaded once into this process (a process per command costs more
 *  than most commands); output is captured from stdout and stderr. */
const clis = new Map();
for (const dir of [baseDir, headDir]) clis.set(dir, (await import(join(dir, "dist/mm.js"))).runCliAsync);

/** Runs mm of one checkout; resolves with everything it printed and wrote, paths masked. */
async function run(dir, argv, outFile) {
  const chunks = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  const capture = (c) => { chunks.push(typeof c === "string" ? c : Buffer.from(c).toString("utf8")); return true; };
  process.chdir(dir);
  process.stdout.write = capture;
  process.stderr.write = capture;
  let code;
  try {
    code = await clis.get(dir)(argv);
  } catch (e) {
    code = `thrown ${e?.message}`;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  let text = `exit ${code}\n${chunks.join("")}`;
  const files = [];
  if (outFile) {
    const walk = (f) => statSync(f).isDirectory() ? readdirSync(f).sort().forEach((e) => walk(join(f, e))) : files.push(readFileSync(f));
    try { walk(outFile); } catch { /* no output */ }
    // External data beside an ONNX file: hashed in chunks (it can be gigabytes).
    try {
      const h = createHash("sha256"), fd = openSync(`${outFile}.data`, "r"), buf = Buffer.alloc(1 << 24);
      for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
      closeSync(fd);
      files.push(Buffer.from(`data ${h.digest("hex")}`));
    } catch { /* no external data */ }
    rmSync(outFile, { recursive: true, force: true });
    rmSync(`${outFile}.data`, { force: true });
  }
  text = text.split(dir).join("<ROOT>").split(outFile ?? "\0").join("<OUT>");
  return { text, files: files.map((b) => createHash("sha256").update(b.toString("latin1").split(dir).join("<ROOT>"), "latin1").digest("hex")) };
}

const examples = readdirSync(join(headDir, "examples")).filter((f) => f.endsWith(".mm")).map((f) => `examples/${f}`);
const models = JSON.parse((await run(headDir, ["list", ...examples, "--json"])).text.replace(/^exit 0\n/, ""));
/** How a command names the model: stdlib models by name, others as FILE#NAME. */
const ref = (m) => (m.source === "stdlib" ? m.name : `${m.file}#${m.name}`);
const names = models.filter((m) => !only || only.includes(m.name)).map(ref);
const scratch = mkdtempSync(join(tmpdir(), "mm-compare-"));

/** Each model's parameter count (`params --json` of the head build), when weights are compared. */
const paramCount = new Map();
if (weightsUnder > 0) for (const name of names) {
  const r = await run(headDir, ["params", name, "--json"]);
  try { paramCount.set(name, JSON.parse(r.text.replace(/^exit 0\n/, "")).total); } catch { paramCount.set(name, Infinity); }
}
const tasks = [];
for (const name of names) {
  const tiny = name.endsWith("_Tiny");
  tasks.push([name, "check", ["check", name]], [name, "check --json", ["check", name, "--json"]]);
  tasks.push([name, "shapes", ["shapes", name]], [name, "params", ["params", name]]);
  tasks.push([name, "summary", ["summary", name]], [name, "summary --json", ["summary", name, "--json"]]);
  tasks.push([name, "onnx", ["compile", name, "-o", "OUT.onnx"]], [name, "onnx --functions", ["compile", name, "-o", "OUT.onnx", "--functions"]]);
  if (tiny) {
    tasks.push([name, "onnx random", ["compile", name, "-o", "OUT.onnx", "--weights", "random"]]);
    tasks.push([name, "webgpu", ["compile", name, "--target", "webgpu", "-o", "OUT"], "bind"]);
  }
  const m = models.find((x) => ref(x) === name);
  if (weightsUnder > 0 && paramCount.get(name) < weightsUnder)
    tasks.push([name, "onnx random external", ["compile", name, "-o", "OUT.onnx", "--weights", "random", "--external-data"]]);
  if (m?.base) tasks.push([name, `diff ${m.base}`, ["diff", m.source === "stdlib" ? m.base : `${m.file}#${m.base}`, name]]);
}

let differences = 0, done = 0;
async function worker(k) {
  while (tasks.length) {
    const [name, what, argv0, needs] = tasks.shift();
    let argv = argv0;
    if (needs === "bind") {
      // A plan is specialised: bind every symbolic dim the model has (the CLI lists them), to 2.
      const probe = await run(headDir, argv.map((x) => x.replace("OUT", join(scratch, "probe"))));
      const m = /symbolic dims: ([^)]*)\)/.exec(probe.text);
      if (m) argv = [...argv, ...m[1].split(", ").flatMap((d) => ["--bind", `${d}=2`])];
    }
    const results = [];
    for (const [i, dir] of [baseDir, headDir].entries()) {
      const out = join(scratch, `${k}-out`); // the same name for both: external data is named by it
      const a = argv.map((x) => x.replace("OUT", out));
      results.push(await run(dir, a, argv.some((x) => x.includes("OUT")) ? (argv.some((x) => x.endsWith(".onnx")) ? `${out}.onnx` : out) : undefined));
    }
    const [x, y] = results;
    const same = x.text === y.text && x.files.length === y.files.length && x.files.every((f, i) => f === y.files[i]);
    if (!same) {
      differences++;
      console.log(`DIFFERS ${name}: ${what}${x.text !== y.text ? " (output)" : " (written files)"}`);
    }
    if (++done % 100 === 0) console.error(`${done} compared`);
  }
}
await worker(0); // one at a time: the CLIs share this process's cwd and output streams
rmSync(scratch, { recursive: true, force: true });
console.log(`${done} outputs compared for ${names.length} models: ${differences} differ`);
process.exit(differences ? 1 : 0);
