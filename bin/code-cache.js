// Loads a CommonJS bundle through V8's code cache. `mm check` is a short job, and parsing and
// compiling its bundle's functions at every start was about a tenth of it: `npm run build`
// runs one check of the stdlib and keeps the bytecode V8 made (dist/mm-check.cache, see
// scripts/code-cache.mjs). A cache from another V8 version or flags is rejected by V8 itself,
// and the bundle then compiles as usual. (Node 22's module.enableCompileCache does this for
// every module; Node 20 has no such switch.)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { setFlagsFromString } from "node:v8";
import vm from "node:vm";

/**
 * V8 flags for the CLI, set before the compiler's code is loaded. Most commands run for a
 * second or two: V8's default eagerness to optimise hot functions then costs more than it
 * saves (`mm check stdlib`: 2.0 s → 1.5 s when this came in; long jobs still get optimised,
 * a little later). The code cache is made under the same flags (V8 rejects one made under
 * others), so bin/mm.js and scripts/code-cache.mjs both set them here.
 */
export function setCliFlags() {
  setFlagsFromString("--interrupt-budget=1000000");
}

/** The bundle's exports, its script (for `createCachedData`), and whether a cache was used
 *  (`cacheFile` undefined: compile without one). */
export function loadCached(file, cacheFile) {
  let cachedData;
  try {
    if (cacheFile !== undefined) cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // no cache yet: compile as usual
  }
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, "utf8")}\n})`;
  const script = new vm.Script(source, { filename: file, ...(cachedData ? { cachedData } : {}) });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, cached: cachedData !== undefined && !script.cachedDataRejected };
}
