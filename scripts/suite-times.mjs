#!/usr/bin/env node
// Where the suite's time goes: test files by duration, from vitest's JSON report.
//
//   npm test -- --reporter=default --reporter=json --outputFile=/tmp/vitest.json
//   node scripts/suite-times.mjs /tmp/vitest.json [TOP]
//   node scripts/suite-times.mjs /tmp/vitest.json --at SECONDS   (files running then, from
//                                                                  the report's start)
//
// A file's time is from its first test's start to its end, in its worker (two workers run
// side by side, so the times add up to about twice the wall time).
import { readFileSync } from "node:fs";

const [file, topArg, atArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/suite-times.mjs VITEST_JSON [TOP]");
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, "utf8"));
const root = process.cwd() + "/";
if (topArg === "--at") {
  // Which files overlapped at a moment (measure-suite.mjs prints when the memory peak was).
  const t0 = report.startTime;
  const at = t0 + Number(atArg) * 1000;
  for (const r of report.testResults.filter((x) => x.startTime <= at && x.endTime >= at)) {
    console.log(`${r.name.replace(process.cwd() + "/", "")}: ${((r.startTime - t0) / 1000).toFixed(0)}–${((r.endTime - t0) / 1000).toFixed(0)} s`);
  }
  process.exit(0);
}
const rows = report.testResults.map((r) => ({
  name: r.name.startsWith(root) ? r.name.slice(root.length) : r.name,
  seconds: (r.endTime - r.startTime) / 1000,
  tests: r.assertionResults.length,
}));
rows.sort((a, b) => b.seconds - a.seconds);
const total = rows.reduce((a, r) => a + r.seconds, 0);
const top = Number(topArg ?? 15);
console.log(`${rows.length} files, ${report.numTotalTests} tests, ${total.toFixed(0)} s of file time`);
console.log("| file | tests | time | share |\n| --- | ---: | ---: | ---: |");
for (const r of rows.slice(0, top)) console.log(`| ${r.name} | ${r.tests} | ${r.seconds.toFixed(1)} s | ${((100 * r.seconds) / total).toFixed(0)}% |`);
const rest = rows.slice(top);
if (rest.length) console.log(`| ${rest.length} other files | ${rest.reduce((a, r) => a + r.tests, 0)} | ${rest.reduce((a, r) => a + r.seconds, 0).toFixed(1)} s | ${((100 * rest.reduce((a, r) => a + r.seconds, 0)) / total).toFixed(0)}% |`);
