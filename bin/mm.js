#!/usr/bin/env node
// The mm command. Built sources live in dist/ (npm install runs the build).
import { runCli } from "../dist/compiler/cli/main.js";

process.exitCode = runCli(process.argv.slice(2));
