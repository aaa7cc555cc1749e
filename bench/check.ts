// How long checking the whole stdlib takes, against parsing the same files alone (measured in
// the same run, so the ratios are stable on a noisy machine):
//   - warm, in one process: a full check (parse, elaborate, trace every model), and a
//     `mm check --watch` round after an edit (one file parsed again, every model checked);
//   - cold, a fresh process each time, as a user types it: `mm check stdlib`, one model file,
//     Node's own start-up (`node -e 0`) for scale, and `mm check --help` (start-up and loading
//     the check entry, no check) to split a cold check into what it pays first and the rest.
// Run: npm run bench:check [-- --runs N]
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseFile } from "../grammar/index.js";
import { CheckCache } from "../compiler/driver/check-cache.js";
import { ParseCache } from "../compiler/driver/parse-cache.js";
import { Session } from "../compiler/driver/session.js";
import { diskHost, listMmFiles, STDLIB_ROOT, type FileHost } from "../compiler/resolve/host.js";
import { median, time } from "./timing.js";

const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7;
const files = listMmFiles(STDLIB_ROOT);
const texts = new Map(files.map((f) => [f, readFileSync(f, "utf8")] as const));
let models = 0;

const parse = (): void => {
  for (const [f, t] of texts) parseFile(f, t);
};
const checkWith = (s: Session): void => {
  const r = s.checkFiles(files);
  models = r.models;
  if (r.diagnostics.some((d) => d.severity === "error")) throw new Error("the stdlib does not check");
};

// A watch round after an edit: the edited file (a comment appended, so its text is new) is
// parsed again, the others come from the cache; every model is elaborated and traced again
// (`watchAll`), or, as `mm check --watch` does, only the models that reach the edited file.
const edited = join(STDLIB_ROOT, "models", "clip.mm");
let edits = 0;
const host: FileHost = { ...diskHost, read: (p) => (p === edited ? `${texts.get(p)}\n# edit ${edits}\n` : texts.get(p) ?? diskHost.read(p)) };
const cache = new ParseCache();
const results = new CheckCache();
const watchAll = (): void => {
  edits++;
  checkWith(new Session(host, cache));
};
const watchRound = (): void => {
  edits++;
  checkWith(new Session(host, cache, results));
};

checkWith(new Session()); // warm up the JIT
watchAll();
watchRound();
parse();
const tParse = time(parse, runs);
const tCheck = time(() => checkWith(new Session()), runs);
const tWatchAll = time(watchAll, runs);
const tWatch = time(watchRound, runs);
console.log(`stdlib: ${files.length} files, ${models} models, ${(Math.round([...texts.values()].reduce((n, t) => n + t.length, 0) / 1000))} kB`);
console.log(`parse only (baseline)                        ${tParse.toFixed(0).padStart(6)} ms`);
console.log(`check, warm (parse, elaborate, trace all)    ${tCheck.toFixed(0).padStart(6)} ms  ${(tCheck / tParse).toFixed(1)}x parse`);
console.log(`watch round after an edit, every model       ${tWatchAll.toFixed(0).padStart(6)} ms  ${(tWatchAll / tParse).toFixed(1)}x parse`);
console.log(`mm check --watch round after editing clip.mm ${tWatch.toFixed(0).padStart(6)} ms  ${(tWatch / tParse).toFixed(1)}x parse`);

// The bundled CLI, as `npm install` builds it; this file runs from dist/bench/.
const bin = fileURLToPath(new URL("../../bin/mm.js", import.meta.url));
const cold = (args: readonly string[]): number => {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(process.execPath, args, { stdio: "ignore" });
    ts.push(performance.now() - t0);
  }
  return median(ts);
};
const tNode = cold(["-e", "0"]);
// `mm check --help` starts Node and loads the check entry, then checks nothing: what a cold
// check pays before its first file.
const tLoad = cold([bin, "check", "--help"]);
const tStdlib = cold([bin, "check", STDLIB_ROOT]);
const tOne = cold([bin, "check", edited]);
console.log(`cold processes (median of ${runs}):`);
console.log(`  node -e 0 (Node's start-up)                ${tNode.toFixed(0).padStart(6)} ms`);
console.log(`  mm check --help (start-up, loading)        ${tLoad.toFixed(0).padStart(6)} ms`);
console.log(`  mm check stdlib                            ${tStdlib.toFixed(0).padStart(6)} ms  ${(tStdlib / tParse).toFixed(1)}x parse, ${(tStdlib / tCheck).toFixed(1)}x warm check`);
console.log(`    of which checking, cold                  ${(tStdlib - tLoad).toFixed(0).padStart(6)} ms  ${((tStdlib - tLoad) / tCheck).toFixed(1)}x warm check`);
console.log(`  mm check stdlib/models/clip.mm             ${tOne.toFixed(0).padStart(6)} ms`);
