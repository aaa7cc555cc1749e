// How long checking the whole stdlib takes, against parsing the same files alone
// (measured in the same process, so the ratio is stable on a noisy machine); then the
// command a user runs, `mm check stdlib`, cold: a fresh process each time, start-up included.
// Run: npm run bench:check
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseFile } from "../grammar/index.js";
import { Session } from "../compiler/driver/session.js";
import { isUnpublished } from "../compiler/elaborate/model.js";
import { listMmFiles, STDLIB_ROOT } from "../compiler/resolve/host.js";
import { median, time } from "./timing.js";


const files = listMmFiles(STDLIB_ROOT);
const texts = files.map((f) => [f, readFileSync(f, "utf8")] as const);
let models = 0;
const parse = (): void => {
  for (const [f, t] of texts) parseFile(f, t);
};
const check = (): void => {
  const s = new Session();
  const program = s.stdlib();
  models = 0;
  for (const ref of s.models(program)) {
    if (isUnpublished(ref.decl)) continue;
    const r = s.compile(ref, program, { checkOnly: true });
    models++;
    if (!r.checked) console.warn(`warning: ${ref.name} does not check`);
  }
};
check(); // warm up the JIT
parse();
const runs = 7;
const tParse = time(parse, runs);
const tCheck = time(check, runs);
console.log(`stdlib: ${files.length} files, ${models} models`);
console.log(`parse only           ${tParse.toFixed(1)} ms (median of ${runs})`);
console.log(`check (load, elaborate, trace every model)  ${tCheck.toFixed(1)} ms (median of ${runs})`);
console.log(`ratio check/parse    ${(tCheck / tParse).toFixed(1)}x`);

// The bundled CLI, as `npm install` builds it (dist/mm.js); this file runs from dist/bench/.
const bin = fileURLToPath(new URL("../../bin/mm.js", import.meta.url));
const cold: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  execFileSync(process.execPath, [bin, "check", STDLIB_ROOT], { stdio: "ignore" });
  cold.push(performance.now() - t0);
}
const tCold = median(cold);
console.log(`mm check stdlib, cold ${tCold.toFixed(1)} ms (median of ${runs} processes; ${(tCold / tParse).toFixed(1)}x parse only)`);
