// The check rules' registry (compiler/check/rules/index.ts): every rule file is registered,
// names are unique, every code a rule claims is in the table and has a golden case, and a
// rule reports only the codes it claims.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_CODES } from "../../compiler/diagnostics/codes.js";
import { ALL_RULES, FORWARD_RULES, MODEL_RULES } from "../../compiler/check/rules/index.js";

const DIR = "compiler/check/rules";

describe("check rules", () => {
  it("registers every rule a file in check/rules/ defines, once", () => {
    const defined: string[] = [];
    for (const f of readdirSync(DIR).filter((x) => x.endsWith(".ts") && !["index.ts", "rule.ts"].includes(x))) {
      for (const m of readFileSync(`${DIR}/${f}`, "utf8").matchAll(/^export const (\w+): Rule</gm)) defined.push(m[1]!);
    }
    expect(defined.length).toBe(ALL_RULES.length);
    expect(new Set(ALL_RULES.map((r) => r.name)).size).toBe(ALL_RULES.length);
    expect(FORWARD_RULES.length + MODEL_RULES.length).toBe(ALL_RULES.length);
  });

  it("claims only codes of the table, each pinned by a golden case", () => {
    const cases = readdirSync("test/cases/errors").filter((f) => f.endsWith(".mm")).map((f) => readFileSync(`test/cases/errors/${f}`, "utf8")).join("\n");
    for (const r of ALL_RULES) {
      expect(r.codes.length, r.name).toBeGreaterThan(0);
      for (const c of r.codes) {
        expect(ALL_CODES, `${r.name}: ${c}`).toContain(c);
        expect(cases, `${r.name}: no test/cases/errors/*.mm expects ${c}`).toMatch(new RegExp(`expect: ${c} `));
      }
    }
  });

  it("reports only the codes a rule claims (as the rules' sources use them)", () => {
    for (const f of readdirSync(DIR).filter((x) => x.endsWith(".ts") && !["index.ts", "rule.ts"].includes(x))) {
      const text = readFileSync(`${DIR}/${f}`, "utf8");
      const used = new Set([...text.matchAll(/diag\("(MM\d{4})"/g)].map((m) => m[1]!));
      const claimed = new Set<string>(ALL_RULES.filter((r) => text.includes(`name: "${r.name}"`)).flatMap((r) => r.codes));
      expect([...used].filter((c) => !claimed.has(c)), f).toEqual([]);
    }
  });
});
