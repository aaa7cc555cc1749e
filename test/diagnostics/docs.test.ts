// docs/errors.md is generated from the code table and the examples (`npm run test:accept`
// rewrites it), and `mm explain` prints the same explanation and examples.
import { describe, expect, it } from "vitest";
import { CODES, exampleFor } from "../../compiler/diagnostics/codes.js";
import { renderErrorsMarkdown } from "../../compiler/diagnostics/docs.js";
import { matchGolden } from "../golden/golden.js";
import { mm } from "../helpers.js";

describe("docs/errors.md", () => {
  it("is the rendering of the code table and examples", () => {
    matchGolden("docs/errors.md", renderErrorsMarkdown());
  });

  it("documents every code with its template and examples", () => {
    const md = renderErrorsMarkdown();
    for (const [code, e] of Object.entries(CODES)) {
      expect(md).toContain(`${code}: ${e.title}`);
      expect(md).toContain(e.explanation);
      const ex = exampleFor(code as keyof typeof CODES);
      if (ex) expect(md).toContain("```mm\n" + ex.fixed.trimEnd() + "\n```");
    }
  });
});

describe("mm explain", () => {
  const indent = (s: string): string => s.trimEnd().split("\n").map((l) => (l ? "    " + l : l)).join("\n");

  it("prints the explanation and both examples of MM4002", () => {
    const r = mm("explain", "MM4002");
    expect(r.code).toBe(0);
    expect(r.err).toBe("");
    const ex = exampleFor("MM4002")!;
    expect(r.out).toContain("MM4002: matmul mismatch (error)");
    expect(r.out).toContain(CODES.MM4002.explanation);
    expect(r.out).toContain(`Wrong:\n\n${indent(ex.wrong)}\n`);
    expect(r.out).toContain(`Fixed:\n\n${indent(ex.fixed)}\n`);
  });

  it("accepts a lowercase code", () => {
    expect(mm("explain", "mm5002").out).toContain("MM5002: unused input (warning)");
  });

  it("exits 2 on an unknown code", () => {
    const r = mm("explain", "MM0000");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toContain("unknown code 'MM0000'");
  });

  it("exits 2 without a code", () => {
    expect(mm("explain").code).toBe(2);
  });
});
