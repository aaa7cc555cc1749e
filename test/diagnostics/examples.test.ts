// Every diagnostic code (but MM9001, the internal error, the checkpoint codes and those of input files) has a wrong and a fixed example, and
// both behave as documented through the real pipeline: `wrong` reports the code, `fixed`
// reports nothing. Each program is written as main.mm into a fresh temp project, with the
// example's other files next to it.
import { describe, expect, it } from "vitest";
import { ALL_CODES, CODES, exampleFor, type Code } from "../../compiler/diagnostics/codes.js";
import { renderDiagnostic } from "../../compiler/cli/render.js";
import { Session } from "../../compiler/driver/session.js";
import { project } from "../helpers.js";
import { parseLimits } from "../../compiler/base/limits.js";

/** MM9001 is internal; the checkpoint codes (MM6xxx) and those of `mm run`'s input files
 *  (MM8xxx) are about a data file, not a program: test/checkpoint/ and test/cli/run-files.test.ts
 *  show each of them on a real file. */
const DOCUMENTED = ALL_CODES.filter((c) => c !== "MM9001" && !c.startsWith("MM6") && !c.startsWith("MM8"));

function check(main: string, files: Readonly<Record<string, string>> = {}, limits: readonly string[] = []): { codes: string[]; text: string } {
  const p = project({ ...files, "main.mm": main });
  const l = parseLimits(limits);
  if (typeof l === "string") throw new Error(l);
  const r = new Session(undefined, undefined, undefined, l).checkFiles([p.path("main.mm")]);
  return { codes: r.diagnostics.map((d) => d.code), text: r.diagnostics.map((d) => renderDiagnostic(d, r.sources)).join("\n\n") };
}

describe("diagnostic examples", () => {
  it("has an example for every code but MM9001", () => {
    expect(DOCUMENTED.filter((c) => exampleFor(c) === undefined)).toEqual([]);
  });

  it("has examples only for codes that exist", () => {
    const extra = ALL_CODES.length ? Object.keys(CODES).filter((c) => !(ALL_CODES as string[]).includes(c)) : [];
    expect(extra).toEqual([]);
  });

  for (const code of DOCUMENTED) {
    describe(code, () => {
      const ex = exampleFor(code as Code);
      it.skipIf(!ex)("wrong reports it", () => {
        const r = check(ex!.wrong, ex!.files, ex!.limits);
        expect(r.codes, r.text).toContain(code);
        // The first thing reported is the documented mistake, not a consequence of it (but the
        // error cap's note comes after the errors it counts).
        if (code !== "MM7004") expect(r.codes[0], r.text).toBe(code);
      });
      it.skipIf(!ex)("fixed reports nothing", () => {
        const r = check(ex!.fixed, ex!.fixedFiles ?? ex!.files, ex!.limits);
        expect(r.codes, r.text).toEqual([]);
      });
      it.skipIf(!ex)("wrong and fixed differ and end with a newline", () => {
        expect(ex!.wrong).not.toBe(ex!.fixed);
        expect(ex!.wrong.endsWith("\n") && ex!.fixed.endsWith("\n")).toBe(true);
      });
    });
  }
});
