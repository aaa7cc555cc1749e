// Golden diagnostics for bad programs. Every top-level test/cases/errors/*.mm is checked with
// `mm check FILE`; what it prints to stderr, plus a last line `exit: N`, must equal
// <name>.expected (`npm run test:accept` rewrites those). Each case also states its
// diagnostics in header comments, `# expect: MM4002 at 7:12` (a diagnostic in another file:
// `# expect: MM2004 at lib/other.mm:3:8`, relative to the case's folder), so a diagnostic
// that moves or changes code fails the suite even after a careless accept.
// Helper files that cases import live in test/cases/errors/lib/ and are not cases.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, normalize } from "node:path";
import { describe, expect, it } from "vitest";
import { mm } from "../helpers.js";
import { matchGolden } from "./golden.js";

const DIR = "test/cases/errors";
const cases = readdirSync(DIR).filter((f) => f.endsWith(".mm") && statSync(join(DIR, f)).isFile()).sort();

const EXPECT_LINE = /^#\s*expect:\s*(MM\d{4}) at (?:(\S+):)?(\d+):(\d+)\s*$/;
const REPORT_LINE = /^(\S+):(\d+):(\d+): (?:error|warning) (MM\d{4}): /;

/** The `# expect:` header of a case, as `CODE path:line:col` with paths from the repo root. */
function expectedDiagnostics(file: string, text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const m = EXPECT_LINE.exec(line.trim());
    if (m) out.push(`${m[1]} ${m[2] ? normalize(join(DIR, m[2])) : file}:${m[3]}:${m[4]}`);
    else if (/^#\s*expect\b/.test(line.trim())) throw new Error(`${file}: malformed header line '${line}' (write '# expect: MM1234 at LINE:COL')`);
  }
  return out;
}

/** The diagnostics `mm check` printed (not their notes), as `CODE path:line:col`. */
function reportedDiagnostics(stderr: string): string[] {
  return stderr.split("\n").flatMap((l) => {
    const m = REPORT_LINE.exec(l);
    return m ? [`${m[4]} ${m[1]}:${m[2]}:${m[3]}`] : [];
  });
}

describe("mm check on bad programs (golden)", () => {
  it("has a case for every mistake it is meant to cover", () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });

  it("has no stale .expected files", () => {
    const stale = readdirSync(DIR).filter((f) => f.endsWith(".expected") && !cases.includes(`${basename(f, ".expected")}.mm`));
    expect(stale).toEqual([]);
  });

  for (const name of cases) {
    it(name, () => {
      const file = join(DIR, name);
      const expected = expectedDiagnostics(file, readFileSync(file, "utf8"));
      expect(expected.length, `${file} has no '# expect: CODE at LINE:COL' header`).toBeGreaterThan(0);
      const r = mm("check", file);
      expect(r.out).toBe("");
      expect(r.code, r.err).toBe(/^\S+: error MM\d{4}: /m.test(r.err) ? 1 : 0); // never 2 (usage) or 3 (internal)
      matchGolden(join(DIR, `${basename(name, ".mm")}.expected`), `${r.err}exit: ${r.code}\n`);
      expect(reportedDiagnostics(r.err), `diagnostics of ${file} differ from its '# expect:' header`).toEqual(expected);
    });
  }
});
