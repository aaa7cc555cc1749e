import { describe, expect, test } from "vitest";
import { parseFile } from "../../grammar/index.js";
import { lex } from "../../grammar/lex.js";
import { Tok } from "../../grammar/tokens.js";
import { diags, expr, show, parseOk } from "./helpers.js";

/** Token kinds by name, Eof aside. */
const names = (text: string): string[] => [...lex("t.mm", text).tokens.kind.slice(0, lex("t.mm", text).tokens.count - 1)].map((k) => Tok[k]!);

describe("numbers", () => {
  test.each([
    ["768", "Int", 768],
    ["49_408", "Int", 49408],
    ["0", "Int", 0],
    ["0.02", "Float", 0.02],
    ["1e-6", "Float", 1e-6],
    ["2.5E3", "Float", 2500],
    ["2.5e+3", "Float", 2500],
    ["1_000.5", "Float", 1000.5],
    ["1_0e1_0", "Float", 10e10],
  ])("%s is %s %d", (text, kind, value) => {
    const e = expr(text);
    expect(e).toMatchObject({ kind, value, text });
  });

  test("an integer beyond 2^53 keeps its exact text", () => {
    const e = expr("123_456_789_012_345_678_901");
    expect(e.kind).toBe("Int");
    if (e.kind === "Int") expect(e.text).toBe("123_456_789_012_345_678_901");
  });

  test.each(["1__0", "1_", "1e", "1e+", "3x", "1_.5", "2.5_"])("%s is an invalid number (MM1004)", (text) => {
    expect(diags(`block T { let v = ${text} }`)).toEqual([`MM1004 ${JSON.stringify(text)} invalid number literal '${text}'`]);
  });

});

describe("strings", () => {
  test("escapes are decoded", () => {
    expect(expr(String.raw`"a\"b\\c\nd\te"`)).toMatchObject({ kind: "String", value: 'a"b\\c\nd\te' });
  });
  test("an unterminated string reports MM1002 and nothing more", () => {
    expect(diags('block T { let v = "abc\n}')).toEqual([
      'MM1002 "\\"abc" string literal is not closed before the end of the line',
    ]);
  });
  test("an unknown escape is reported", () => {
    expect(diags(String.raw`block T { let v = "a\qb" }`)).toEqual([String.raw`MM1001 "\\q" unknown escape sequence '\q'`]);
  });
});

describe("characters and comments", () => {
  test("an invalid character reports MM1003 with a hint for & and |", () => {
    const text = "block T { let v = a & b }";
    expect(diags(text)).toEqual(["MM1003 \"&\" invalid character '&'"]);
  });
  test("a run of invalid characters is one error", () => {
    expect(diags("block T { let v = a $$$ }")).toEqual(["MM1003 \"$$$\" invalid character '$'"]);
  });
  test("an invisible character is named by its code point", () => {
    expect(diags("block T { let v = a\u00a0+ b }")).toEqual(["MM1003 \"\u00a0\" invalid character 'U+00A0'"]);
  });
  test("the hint says how to write logical and", () => {
    const d = parseFile("t.mm", "block T { let v = a & b }").diagnostics[0];
    expect(d?.hint).toBe("logical and is written '&&'");
  });
  test("a non-BMP character is reported whole", () => {
    expect(diags("block T { let v = a 😀 }")).toEqual(["MM1003 \"😀\" invalid character '😀'"]);
  });
  test("comments run to the end of the line; `//` is floor division, not a comment", () => {
    const ast = parseOk("# header\nblock T { # trailing\n let v = a // b # note\n }");
    const item = ast.decls[0]?.kind === "Block" ? ast.decls[0].items[0] : undefined;
    expect(item?.kind === "Let" ? show(item.value) : "").toBe("(// a b)");
  });
  test("CRLF line ends and a BOM are whitespace", () => {
    parseOk("\uFEFFblock T {\r\n  let v = 1\r\n}\r\n");
  });
});

describe("keywords", () => {
  test("longer words starting with a keyword are names", () => {
    expect(names("input init in inputs forward forwarding for format if iffy")).toEqual([
      "Input", "Init", "In", "Identifier", "Forward", "Identifier", "For", "Identifier", "If", "Identifier",
    ]);
  });
  test("operators lex longest first", () => {
    expect(names("... -> ** // == != <= >= && || + - * / % @ < > ! = : , . ; ( ) [ ] { }")).toEqual([
      "Ellipsis", "Arrow", "StarStar", "SlashSlash", "EqEq", "NotEq", "LtEq", "GtEq", "AndAnd", "OrOr",
      "Plus", "Minus", "Star", "Slash", "Percent", "At", "Lt", "Gt", "Bang", "Eq", "Colon", "Comma", "Dot", "Semi",
      "LParen", "RParen", "LBracket", "RBracket", "LBrace", "RBrace",
    ]);
  });
  test("reserved keywords cannot be names", () => {
    expect(diags("block T { let none = 1 }")[0]).toMatch(/^MM1001 "none" expected a name but found 'none'/);
  });
});
