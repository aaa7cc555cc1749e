#!/usr/bin/env node
// The mm command. `npm install` builds dist/mm.js, one bundled file: loading the compiler's
// hundreds of ES modules (chevrotain's lodash-es among them) one by one cost most of a second
// at every run.
import { runCliAsync } from "../dist/mm.js";

process.exitCode = await runCliAsync(process.argv.slice(2));
// A native GPU runtime (Dawn, onnxruntime) may keep the event loop alive after its device is
// gone; once stdout and stderr have drained, nothing is left to do.
process.stdout.write("", () => process.stderr.write("", () => setTimeout(() => process.exit(), 50).unref()));
