#!/usr/bin/env node
// The mm command. `npm install` builds dist/mm.js, one bundled file: loading the compiler's
// hundreds of ES modules (chevrotain's lodash-es among them) one by one cost most of a second
// at every run.
import { runCli } from "../dist/mm.js";

process.exitCode = runCli(process.argv.slice(2));
