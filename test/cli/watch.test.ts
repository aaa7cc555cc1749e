// `mm check --watch` as a user runs it: a child process that checks, re-checks after an edit
// (an error appears, then goes away), picks up a new file in a watched folder, and exits 0
// on Ctrl-C. Waits are for output, bounded only so that a broken watcher fails the test.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCliAsync } from "../../compiler/cli/main.js";
import { CheckCache } from "../../compiler/driver/check-cache.js";
import { ParseCache } from "../../compiler/driver/parse-cache.js";
import { diskHost, listMmFiles, STDLIB_ROOT, type FileHost } from "../../compiler/resolve/host.js";
import { Session } from "../../compiler/driver/session.js";
import { project } from "../helpers.js";

const BIN = join(import.meta.dirname, "../../bin/mm.js");

const GOOD = `
block Proj(i: Int, o: Int) {
  param weight: [o, i]
  forward(x: [B, i]) -> [B, o] { return linear(x, weight) }
}
model M {
  p = Proj(8, 4)
  input x: [B, 8]
  forward { output y = p(x) }
}
`;
const BAD = GOOD.replace("input x: [B, 8]", "input x: [B, 6]");

describe("mm check --watch", () => {
  it("re-checks on edits and new files, and stops cleanly on SIGINT", async () => {
    const p = project({ "src/a.mm": GOOD });
    const child = spawn(process.execPath, [BIN, "check", "--watch", join(p.root, "src")], { cwd: p.root });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    let seen = 0; // rounds already matched: each wait looks past them
    const nextRound = async (): Promise<string> => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const rounds = err.split(/\[watch\] (?:ok|errors) in \d+ ms/);
        if (rounds.length - 1 > seen) return rounds[seen++]!;
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no check round; stderr:\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      expect(await nextRound()).toContain("1 file(s), 1 model(s): 0 error(s)");
      writeFileSync(p.path("src/a.mm"), BAD);
      const bad = await nextRound();
      expect(bad).toContain("a.mm changed");
      expect(bad).toMatch(/error MM4\d\d\d/);
      writeFileSync(p.path("src/a.mm"), GOOD);
      expect(await nextRound()).toContain("1 file(s), 1 model(s): 0 error(s)");
      writeFileSync(p.path("src/b.mm"), GOOD.replace("model M", "model N"));
      expect(await nextRound()).toContain("2 file(s), 2 model(s): 0 error(s)");
    } finally {
      child.kill("SIGINT");
    }
    const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
    expect(code).toBe(0);
  }, 120_000);

  it("refuses --json, which is for programs", async () => {
    const p = project({ "a.mm": GOOD });
    let err = "";
    const code = await runCliAsync(["check", "--watch", "--json", p.path("a.mm")], { out: () => {}, err: (s) => (err += s), color: false });
    expect(code).toBe(2);
    expect(err).toContain("--watch");
  });
});

describe("the parse cache behind --watch", () => {
  it("reuses a file's parse while its text is unchanged, and checks the same either way", () => {
    const p = project({ "a.mm": GOOD, "b.mm": BAD });
    const files = [p.path("a.mm"), p.path("b.mm")];
    const cache = new ParseCache();
    const first = new Session(undefined, cache).checkFiles(files);
    expect(cache.parsedCount).toBe(2);
    const again = new Session(undefined, cache).checkFiles(files);
    expect(cache.parsedCount).toBe(2);
    expect(again.diagnostics).toEqual(first.diagnostics);
    expect(again.diagnostics).toEqual(new Session().checkFiles(files).diagnostics);
    writeFileSync(p.path("b.mm"), GOOD);
    const fixed = new Session(undefined, cache).checkFiles(files);
    expect(cache.parsedCount).toBe(3);
    expect(fixed.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("the check cache behind --watch", () => {
  const LIB = `
block Proj(i: Int, o: Int) {
  param weight: [o, i]
  forward(x: [B, i]) -> [B, o] { return linear(x, weight) }
}
`;
  const user = (name: string, width: number): string => `
import "./lib.mm"
model ${name} {
  p = Proj(8, 4)
  input x: [B, ${width}]
  forward { output y = p(x) }
}
`;

  /** A round as the watcher runs it, checked against a fresh session with no caches. */
  function round(files: string[], parses: ParseCache, checks: CheckCache): string[] {
    const incremental = new Session(undefined, parses, checks).checkFiles(files);
    const fresh = new Session().checkFiles(files);
    expect(incremental.diagnostics).toEqual(fresh.diagnostics);
    expect(incremental.models).toBe(fresh.models);
    return incremental.diagnostics.map((d) => d.code);
  }

  it("re-checks exactly the models whose files changed, with the diagnostics of a fresh check", () => {
    const p = project({ "lib.mm": LIB, "a.mm": user("A", 8), "b.mm": user("B", 8), "c.mm": GOOD, "d.mm": `import "./e.mm"\n${user("D", 8).replace('import "./lib.mm"', "")}` });
    const files = ["lib.mm", "a.mm", "b.mm", "c.mm", "d.mm"].map((f) => p.path(f));
    const parses = new ParseCache();
    const checks = new CheckCache();
    expect(round(files, parses, checks)).toContain("MM2003"); // d.mm imports a file that is not there
    expect(checks.hits).toBe(0);
    round(files, parses, checks);
    expect(checks.hits).toBe(4); // nothing changed: A, B, M and D

    writeFileSync(p.path("a.mm"), user("A", 6)); // A breaks; B, M and D are untouched
    const before = checks.hits;
    expect(round(files, parses, checks).some((c) => c.startsWith("MM4"))).toBe(true);
    expect(checks.hits - before).toBe(3);

    writeFileSync(p.path("lib.mm"), LIB.replace("[o, i]", "[o, i] init zeros()")); // A and B reach lib.mm
    const before2 = checks.hits;
    round(files, parses, checks);
    expect(checks.hits - before2).toBe(2); // M and D

    writeFileSync(p.path("e.mm"), LIB); // the missing import appears: D is checked again
    const before3 = checks.hits;
    expect(round(files, parses, checks)).not.toContain("MM2003");
    expect(checks.hits - before3).toBe(3); // A, B, M
  });

  it("agrees with a fresh check of the stdlib after an edit to one model file", () => {
    const files = listMmFiles(STDLIB_ROOT);
    const edited = join(STDLIB_ROOT, "models", "clip.mm");
    let edit = "";
    const host: FileHost = { ...diskHost, read: (f) => (f === edited ? `${diskHost.read(f)}${edit}` : diskHost.read(f)) };
    const parses = new ParseCache();
    const checks = new CheckCache();
    const first = new Session(host, parses, checks).checkFiles(files);
    edit = "\n# an edit\n";
    const second = new Session(host, parses, checks).checkFiles(files);
    expect(second.diagnostics).toEqual(first.diagnostics);
    const clipModels = new Session().models(new Session().load([edited])).length;
    expect(checks.hits).toBe(second.models - clipModels);
  });
});
