// The parser and lexer skip chevrotain's definition checks at start-up (they cost a tenth
// of a second at every `mm` run); here they run, and must find nothing.
import { describe, expect, it } from "vitest";
import { MmParser } from "../../grammar/parser.js";
import { makeLexer } from "../../grammar/tokens.js";

describe("grammar definition", () => {
  it("passes chevrotain's parser validations", () => {
    // Definition errors (ambiguities, unresolved rules) make the constructor throw.
    expect(() => new MmParser(true)).not.toThrow();
  });
  it("passes chevrotain's lexer validations", () => {
    const l = makeLexer(true);
    expect(l.lexerDefinitionErrors).toEqual([]);
  });
});
