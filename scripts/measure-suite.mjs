#!/usr/bin/env node
// Runs a command and reports its wall time and the peak memory of its whole process tree,
// sampled from /proc every 250 ms: what a machine must have free to run it. /usr/bin/time
// reports only the largest single process, and `npm test` runs vitest workers, Chromium and
// Python beside each other. Two sums: PSS (each process's proportional set size, shared
// pages divided among the processes sharing them: the tree's real footprint) and RSS (each
// process's resident set, which counts a page shared by Chromium's ten processes ten times).
//
//   node scripts/measure-suite.mjs npm test
//
// Linux only (/proc). The command's output passes through; the report goes to stderr last.
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error("usage: node scripts/measure-suite.mjs COMMAND [ARGS...]");
  process.exit(2);
}

/** Parent pid and resident kB of every process, from /proc. */
function processes() {
  const out = new Map();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? "?";
      out.set(Number(d), { ppid, rss, name });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A process's proportional set size in kB (0 when it is gone or unreadable). */
function pss(pid) {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function treeRss(root) {
  const all = processes();
  const children = new Map();
  for (const [pid, p] of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  let total = 0, proportional = 0;
  const parts = [], rssParts = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    const p = all.get(pid);
    if (p) {
      const share = pss(pid);
      total += p.rss;
      proportional += share;
      parts.push(`${p.name} ${(share / 1024).toFixed(0)} MiB`);
      rssParts.push(`${p.name} ${(p.rss / 1024).toFixed(0)} MiB`);
    }
    todo.push(...(children.get(pid) ?? []));
  }
  return { total, proportional, parts, rssParts };
}

const t0 = performance.now();
const child = spawn(cmd, args, { stdio: "inherit" });
let peak = 0, peakAt = 0, peakParts = [], peakRss = 0, peakRssAt = 0, peakRssParts = [];
const timer = setInterval(() => {
  const { total, proportional, parts, rssParts } = treeRss(child.pid);
  const at = (performance.now() - t0) / 1000;
  if (proportional > peak) [peak, peakAt, peakParts] = [proportional, at, parts];
  if (total > peakRss) [peakRss, peakRssAt, peakRssParts] = [total, at, rssParts];
}, 250);
child.on("exit", (code, signal) => {
  clearInterval(timer);
  const s = (performance.now() - t0) / 1000;
  console.error(`\nmeasure-suite: ${[cmd, ...args].join(" ")}: exit ${code ?? signal}, ${Math.floor(Math.round(s) / 60)} min ${Math.round(s) % 60} s wall, peak ${(peak / 1024 / 1024).toFixed(2)} GiB PSS (all its processes together, ${peakAt.toFixed(0)} s in); summed RSS peak ${(peakRss / 1024 / 1024).toFixed(2)} GiB (counts shared pages once per process; ${peakRssAt.toFixed(0)} s in)`);
  // What was resident at each peak, largest first: which tiers overlapped.
  const big = (ps) => ps.map((x) => [x, Number(/ (\d+) MiB$/.exec(x)[1])]).sort((a, b) => b[1] - a[1]).filter(([, m]) => m >= 20).map(([x]) => x).join(", ");
  console.error(`measure-suite: at the PSS peak: ${big(peakParts)}`);
  console.error(`measure-suite: at the summed-RSS peak: ${big(peakRssParts)}`);
  process.exit(code ?? 1);
});
