// The chain and instance notes: which links become notes (from the inside out, up to the
// first in the user's file; none when the error is in the user's file), and how merged
// instances are listed.
import { describe, expect, it } from "vitest";
import { describeInstances, mergeInstances, withContext, type ContextLink } from "../../compiler/diagnostics/context.js";
import type { Diagnostic } from "../../compiler/diagnostics/diagnostic.js";

const span = (file: string, start: number) => ({ file, start, end: start + 1 });
const d = (file: string, start: number): Diagnostic => ({ code: "MM4003", severity: "error", message: "m", span: span(file, start), related: [] });
const link = (file: string, start: number, path: string): ContextLink => ({ span: span(file, start), path, declName: path.toUpperCase() });

describe("withContext", () => {
  const links = [link("std.mm", 10, "a.b.c"), link("lib.mm", 20, "a.b"), link("user.mm", 30, "a"), link("user.mm", 1, "")];
  it("notes links from the inside out up to the first in the user's file", () => {
    const r = withContext(d("std.mm", 5), links, "called", "a.b.c");
    expect(r.related.map((x) => `${x.span.file}:${x.span.start} ${x.message}`)).toEqual([
      "std.mm:10 in `a.b.c` (A.B.C), called here",
      "lib.mm:20 in `a.b` (A.B), called here",
      "user.mm:30 in `a` (A), called here",
    ]);
    expect(r.instances).toEqual(["a.b.c"]);
  });
  it("adds no chain to an error in the user's file, and skips the link the error is reported at", () => {
    expect(withContext(d("user.mm", 5), links, "called", "a").related).toEqual([]);
    const atLink = withContext(d("std.mm", 10), links, "instantiated");
    expect(atLink.related.map((x) => x.span.file)).toEqual(["lib.mm", "user.mm"]);
    expect(atLink.instances).toBeUndefined();
  });
});

describe("instances", () => {
  it("merges without repeats and lists at most eight by name", () => {
    let x: Diagnostic = { ...d("f", 0), instances: ["l.0"] };
    for (let i = 1; i < 12; i++) x = mergeInstances(x, { ...d("f", 0), instances: [`l.${i}`, "l.0"] });
    expect(x.instances).toHaveLength(12);
    expect(describeInstances(x.instances!)).toBe("in `l.0` and 11 more instances: `l.1`, `l.2`, `l.3`, `l.4`, `l.5`, `l.6`, `l.7`, `l.8`, and 3 more");
    expect(describeInstances(["only"])).toBeUndefined();
  });
});
