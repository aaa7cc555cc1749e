#!/usr/bin/env node
// The mm command. `npm install` builds dist/mm.js, one bundled file: loading the compiler's
// hundreds of ES modules (chevrotain's lodash-es among them) one by one cost most of a second
// at every run.
import { fileURLToPath } from "node:url";
import { loadCached, setCliFlags } from "./code-cache.js";

setCliFlags();
// `mm check` loads an entry with the check command alone (dist/mm-check.cjs): the full CLI's
// backends and tools are a third of start-up. It comes with V8's code cache (code-cache.js).
const dist = new URL("../dist/", import.meta.url);
const { runCliAsync } = process.argv[2] === "check"
  ? loadCached(fileURLToPath(new URL("mm-check.cjs", dist)), fileURLToPath(new URL("mm-check.cache", dist))).exports
  : await import("../dist/mm.js");

process.exitCode = await runCliAsync(process.argv.slice(2));
// A native GPU runtime (Dawn, onnxruntime) may keep the event loop alive after its device is
// gone; once stdout and stderr have drained, nothing is left to do.
process.stdout.write("", () => process.stderr.write("", () => setTimeout(() => process.exit(), 50).unref()));
