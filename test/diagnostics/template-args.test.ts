// Every code's template arguments are typed: a call must give exactly the template's holes.
// The @ts-expect-error lines are the test (`npm run typecheck` fails if one of them compiles);
// the runtime assertions check the messages the well-typed calls make.
import { describe, expect, it } from "vitest";
import { diag } from "../../compiler/diagnostics/diagnostic.js";

const span = { file: "x.mm", start: 0, end: 1 };

describe("diagnostic template arguments", () => {
  it("are the template's holes, checked at compile time", () => {
    expect(diag("MM2001", span, { name: "foo" }).message).toBe("unknown name 'foo'");
    expect(diag("MM2002", span, { name: "a", place: "block B" }).message).toBe("'a' is declared twice in block B");
    expect(diag("MM1002", span).message).toBe("string literal is not closed before the end of the line"); // no holes
    // @ts-expect-error a misspelt hole
    expect(() => diag("MM2001", span, { nam: "foo" })).toThrow(/template argument 'name' missing/);
    // @ts-expect-error a missing hole
    expect(() => diag("MM2002", span, { name: "a" })).toThrow(/template argument 'place' missing/);
    // @ts-expect-error no arguments for a template with holes
    expect(() => diag("MM2001", span)).toThrow(/template argument 'name' missing/);
  });
});
