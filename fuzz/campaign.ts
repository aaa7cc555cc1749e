// The fuzzing loop, shared by `npm run fuzz` (main.ts) and the test (test/fuzz): programs
// `from`, `from + 1`, ... of a seed, until a count or a deadline, each run through the
// Runner, with exit codes tallied per command. A hang is run a second time before it counts,
// so that a busy machine does not pass for a compiler bug.
import { generate, type Program } from "./generate.js";
import type { Failure, ProgramResult, Runner } from "./runner.js";

export interface Found {
  readonly seed: number;
  readonly index: number;
  readonly program: Program;
  readonly failure: Failure;
}

export interface Report {
  programs: number;
  /** Exit codes (or "hang", "died") counted per command. */
  readonly exits: Record<string, Record<string, number>>;
  readonly failures: Found[];
  /** Hangs that did not hang again. */
  flakyHangs: number;
  slowest?: { readonly index: number; readonly ms: number; readonly commands: string; readonly tags: readonly string[] };
}

export interface CampaignOptions {
  readonly runner: Runner;
  readonly root: string;
  readonly seed: number;
  readonly from?: number;
  /** Stop after this many programs... */
  readonly count?: number;
  /** ...or once performance.now() passes this. */
  readonly deadline?: number;
  readonly onResult?: (index: number, r: ProgramResult, report: Report) => void;
  readonly onFailure?: (found: Found, report: Report) => Promise<void>;
}

export async function runCampaign(o: CampaignOptions): Promise<Report> {
  const report: Report = { programs: 0, exits: {}, failures: [], flakyHangs: 0 };
  const first = o.from ?? 0;
  for (let index = first; ; index++) {
    if (o.count !== undefined && index - first >= o.count) break;
    if (o.deadline !== undefined && performance.now() >= o.deadline) break;
    const program = generate(o.seed, index, o.root);
    let r = await o.runner.run(program);
    if (r.failure?.class === "hang") {
      const again = await o.runner.run(program);
      if (again.failure?.class !== "hang") {
        report.flakyHangs++;
        r = again;
      }
    }
    report.programs++;
    for (const c of r.results) {
      const key = c.code !== undefined ? String(c.code) : r.failure?.class === "hang" ? "hang" : "died";
      const row = (report.exits[c.command] ??= {});
      row[key] = (row[key] ?? 0) + 1;
    }
    if (!r.failure && (!report.slowest || r.ms > report.slowest.ms)) {
      report.slowest = { index, ms: r.ms, commands: r.results.map((c) => `${c.command} ${c.ms.toFixed(0)} ms`).join(", "), tags: program.tags };
    }
    o.onResult?.(index, r, report);
    if (r.failure) {
      const found: Found = { seed: o.seed, index, program, failure: r.failure };
      report.failures.push(found);
      await o.onFailure?.(found, report);
    }
  }
  return report;
}
