// `npm run fuzz -- --minutes N [--seed S]`: generates and mutates programs, runs each through
// the CLI (check, then params, summary, compile) in a worker thread, and reports internal
// errors, stack traces, hangs and out-of-memory deaths. The first failure of each kind is
// minimised and saved to fuzz/failures/<class>-<hash>.mm (with a .json of its seed and
// output). `--seed S --from I --count N` replays programs I .. I+N-1 of a seed exactly.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PACKAGE_ROOT } from "../compiler/base/package.js";
import { generate } from "./generate.js";
import { runCampaign, type Found, type Report } from "./campaign.js";
import { minimizeText } from "./minimize.js";
import { compact, type Program } from "./program.js";
import { Runner } from "./runner.js";

const USAGE = "usage: npm run fuzz -- [--minutes N] [--seed S] [--from I --count N] [--timeout MS] [--minimize-seconds N] [--no-minimize] [--verbose]";

const { values: flags } = parseArgs({
  options: {
    minutes: { type: "string" }, seed: { type: "string" }, from: { type: "string" }, count: { type: "string" },
    timeout: { type: "string" }, "minimize-seconds": { type: "string" }, "no-minimize": { type: "boolean" }, verbose: { type: "boolean", short: "v" }, help: { type: "boolean", short: "h" },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const num = (name: string, v: string | undefined, dflt: number): number => {
  const n = v === undefined ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`fuzz: --${name} takes a number, not '${v}'\n${USAGE}`);
    process.exit(2);
  }
  return n;
};

const seed = num("seed", flags.seed, Date.now() % 2 ** 32) >>> 0;
const from = num("from", flags.from, 0);
const count = flags.count === undefined ? undefined : num("count", flags.count, 0);
const minutes = flags.minutes === undefined && count !== undefined ? Infinity : num("minutes", flags.minutes, 1);
const minimizeMs = num("minimize-seconds", flags["minimize-seconds"], 60) * 1000;
const FAILURES = join(PACKAGE_ROOT, "fuzz", "failures");

const runner = new Runner({ workerFile: new URL("./worker.js", import.meta.url), timeoutMs: num("timeout", flags.timeout, 2000) });
const t0 = performance.now();
const elapsed = (): string => {
  const s = Math.round((performance.now() - t0) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};
/** Failures by signature: how often, and where the first was saved. */
const distinct = new Map<string, { found: Found; times: number; saved?: string; minimized?: string }>();
let lastProgress = performance.now();

console.log(`fuzz: seed ${seed}, from program ${from}${count !== undefined ? `, ${count} programs` : ""}${Number.isFinite(minutes) ? `, ${minutes} minute(s)` : ""}`);

function progress(r: Report): void {
  const byClass = new Map<string, number>();
  for (const f of r.failures) byClass.set(f.failure.class, (byClass.get(f.failure.class) ?? 0) + 1);
  const classes = [...byClass].map(([c, n]) => `${c} ${n}`).join(", ");
  console.log(`[${elapsed()}] ${r.programs} programs, ${r.failures.length} failures${classes ? ` (${classes})` : ""}, ${distinct.size} distinct`);
}

async function onFailure(found: Found, report: Report): Promise<void> {
  const known = distinct.get(found.failure.signature);
  if (known) {
    known.times++;
    return;
  }
  const entry: { found: Found; times: number; saved?: string; minimized?: string } = { found, times: 1 };
  distinct.set(found.failure.signature, entry);
  console.log(`[${elapsed()}] new failure at program ${found.index}: ${found.failure.command}: ${found.failure.message}`);
  let text = found.program.files["main.mm"]!;
  if (!flags["no-minimize"]) {
    const withMain = (t: string): Program => ({ ...found.program, files: { ...found.program.files, "main.mm": t } });
    const same = async (t: string): Promise<boolean> => (await runner.run(withMain(t))).failure?.signature === found.failure.signature;
    const m = await minimizeText(text, same, { deadline: performance.now() + minimizeMs, maxRuns: 2000 });
    // A minimised hang is confirmed once more: a busy machine may have made a cut look slow.
    if (m.text !== text && (found.failure.class !== "hang" || (await same(m.text)))) text = m.text;
    console.log(`[${elapsed()}]   minimised ${found.program.files["main.mm"]!.length} → ${text.length} characters in ${m.runs} runs`);
  }
  entry.minimized = text;
  entry.saved = save(found, text);
  progress(report);
}

function save(found: Found, text: string): string {
  mkdirSync(FAILURES, { recursive: true });
  const hash = createHash("sha1").update(found.failure.signature).digest("hex").slice(0, 10);
  const base = join(FAILURES, `${found.failure.class}-${hash}`);
  // Across runs one signature keeps its smallest reproducer.
  if (existsSync(`${base}.mm`) && readFileSync(`${base}.mm`, "utf8").length <= text.length) return `${base}.mm`;
  const { "main.mm": _main, ...others } = found.program.files;
  const meta = {
    class: found.failure.class, command: found.failure.command, message: found.failure.message, signature: found.failure.signature,
    seed: found.seed, index: found.index, replay: `npm run fuzz -- --seed ${found.seed} --from ${found.index} --count 1 --no-minimize`,
    tags: found.program.tags, otherFiles: others, output: found.failure.output.slice(0, 4000),
  };
  writeFileSync(`${base}.mm`, text);
  writeFileSync(`${base}.json`, JSON.stringify(meta, null, 2) + "\n");
  return `${base}.mm`;
}

function summary(r: Report): void {
  console.log(`\n== fuzz summary: ${r.programs} programs in ${elapsed()} (seed ${seed}, from ${from})`);
  console.log("exit codes per command:");
  for (const [cmd, row] of Object.entries(r.exits)) {
    console.log(`  ${cmd.padEnd(8)} ${Object.entries(row).sort().map(([k, n]) => `${k}: ${n}`).join("  ")}`);
  }
  const classes = new Map<string, number>();
  for (const f of r.failures) classes.set(f.failure.class, (classes.get(f.failure.class) ?? 0) + 1);
  console.log(`failures: ${r.failures.length}${r.flakyHangs ? ` (and ${r.flakyHangs} slow run(s) that did not hang again)` : ""}`);
  for (const [cls, n] of classes) {
    const sigs = [...distinct.values()].filter((d) => d.found.failure.class === cls);
    console.log(`  ${cls}: ${n} (${sigs.length} distinct)`);
    for (const d of sigs) {
      console.log(`    ×${d.times} ${d.found.failure.command}: ${d.found.failure.message}`);
      console.log(`       first: program ${d.found.index}, tags ${d.found.program.tags.join(" ") || "-"}${d.saved ? `; saved ${d.saved}` : ""}`);
      if (d.minimized !== undefined) console.log(`       ${compact(d.minimized, 400).replace(/\n/g, "\n       ")}`);
    }
  }
  if (r.slowest) console.log(`slowest program: ${r.slowest.index} (seed ${seed}), ${r.slowest.ms.toFixed(0)} ms: ${r.slowest.commands}; tags ${r.slowest.tags.join(" ") || "-"}`);
}

const report = await runCampaign({
  runner, root: PACKAGE_ROOT, seed, from,
  ...(count !== undefined ? { count } : {}),
  ...(Number.isFinite(minutes) ? { deadline: t0 + minutes * 60_000 } : {}),
  onResult: (i, r, rep) => {
    if (flags.verbose) {
      console.log(`--- program ${i}: ${generate(seed, i, PACKAGE_ROOT).tags.join(" ")}`);
      for (const c of r.results) console.log(`  ${c.argv[0]} → ${c.code ?? "-"} in ${c.ms.toFixed(0)} ms: ${(c.out + c.err).split("\n").slice(0, 4).join("\n      ")}`);
    }
    if (performance.now() - lastProgress >= 10_000) {
      lastProgress = performance.now();
      progress(rep);
    }
  },
  onFailure,
});
await runner.close();
summary(report);
process.exit(report.failures.length ? 1 : 0);
