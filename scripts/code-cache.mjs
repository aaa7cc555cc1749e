// Makes dist/mm-check.cache, the V8 code cache bin/mm.js loads `mm check` with (see
// bin/code-cache.js): runs one check of the stdlib, output discarded, so that the cache holds
// the bytecode of every function a check runs, then writes it atomically. Run by `npm run build`.
import { renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCached, setCliFlags } from "../bin/code-cache.js";

// The same flags as bin/mm.js: V8 rejects a cache made under other flags.
setCliFlags();
const bundle = fileURLToPath(new URL("../dist/mm-check.cjs", import.meta.url));
const cache = fileURLToPath(new URL("../dist/mm-check.cache", import.meta.url));
const stdlib = fileURLToPath(new URL("../stdlib", import.meta.url));
const { exports, script } = loadCached(bundle, undefined);
const quiet = { out: () => {}, err: () => {}, color: false };
const code = await exports.runCliAsync(["check", stdlib], quiet);
if (code !== 0) throw new Error(`mm check stdlib exited ${code} while making the code cache`);
writeFileSync(`${cache}.tmp`, script.createCachedData());
renameSync(`${cache}.tmp`, cache);
