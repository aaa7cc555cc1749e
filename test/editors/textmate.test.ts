// The VS Code extension's TextMate grammar (editors/vscode/syntaxes/mm.tmLanguage.json),
// tokenized by vscode-textmate with vscode-oniguruma as VS Code does, held to mm's own lexer
// on every stdlib and example file: each keyword (reserved ones everywhere, contextual ones
// where they lead an item), number, string, comment and bracket the lexer finds has the
// matching scope. And in a golden sample no token is left with the file's scope alone.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as oniguruma from "vscode-oniguruma";
import { INITIAL, Registry, type IGrammar } from "vscode-textmate";
import { lex } from "../../grammar/lex.js";
import { isName, isReserved, Tok } from "../../grammar/tokens.js";
import { listMmFiles } from "../../compiler/resolve/host.js";

const ROOT = join(import.meta.dirname, "..", "..");
const GRAMMAR = join(ROOT, "editors", "vscode", "syntaxes", "mm.tmLanguage.json");

let grammar: IGrammar | undefined;
async function load(): Promise<IGrammar> {
  if (grammar) return grammar;
  const wasm = readFileSync(join(createRequire(import.meta.url).resolve("vscode-oniguruma"), "..", "onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => JSON.parse(readFileSync(GRAMMAR, "utf8")),
  });
  grammar = (await registry.loadGrammar("source.mm"))!;
  return grammar;
}

/** Each character's scopes (innermost last), and the tokens as [text, scopes]. */
function tokenize(g: IGrammar, text: string): { at: string[][]; tokens: [string, string[]][] } {
  const at: string[][] = [];
  const tokens: [string, string[]][] = [];
  let stack = INITIAL;
  for (const line of text.split("\n")) {
    const r = g.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const end = Math.min(t.endIndex, line.length);
      for (let i = t.startIndex; i < end; i++) at.push(t.scopes);
      if (end > t.startIndex) tokens.push([line.slice(t.startIndex, end), t.scopes]);
    }
    at.push(["source.mm"]); // the newline
    stack = r.ruleStack;
  }
  return { at, tokens };
}

const FILES = [...listMmFiles(join(ROOT, "stdlib")), ...listMmFiles(join(ROOT, "examples"))];

/** The scope a lexer token must have at its first character, or undefined if any will do. */
function expected(kind: Tok, next: Tok, prev: Tok): RegExp | undefined {
  if (kind === Tok.NumberLit) return /^constant\.numeric/;
  if (kind === Tok.StringLit) return /^string\.quoted/;
  if (kind === Tok.LBracket || kind === Tok.RBracket) return /^punctuation\.definition\.shape/;
  if (kind === Tok.True || kind === Tok.False || kind === Tok.None) return /^constant\.language/;
  if (isReserved(kind)) return /^(keyword|storage)\./;
  // A contextual keyword leads an item or clause when a name, number, string or `{` follows.
  const leads = isName(next) || next === Tok.NumberLit || next === Tok.StringLit || next === Tok.LBrace;
  if (kind >= Tok.In && kind < Tok.Identifier && leads && prev !== Tok.Dot) return /^(keyword|storage)\./;
  return undefined;
}

describe("the TextMate grammar", () => {
  it("scopes every keyword, number, string, comment and bracket of the stdlib and examples as mm's lexer reads them", async () => {
    const g = await load();
    const wrong: string[] = [];
    let checked = 0;
    for (const file of FILES) {
      const text = readFileSync(file, "utf8");
      const { at } = tokenize(g, text);
      const { tokens } = lex(file, text);
      const scopeAt = (i: number): string => at[i]![at[i]!.length - 1]!;
      for (let i = 0; i < tokens.count; i++) {
        const k = tokens.kind[i]! as Tok;
        if (k === Tok.Eof) break;
        const want = expected(k, tokens.kind[i + 1]! as Tok, i > 0 ? (tokens.kind[i - 1]! as Tok) : Tok.Eof);
        if (!want) continue;
        checked++;
        if (!want.test(scopeAt(tokens.start[i]!))) wrong.push(`${file.slice(ROOT.length + 1)}@${tokens.start[i]}: '${text.slice(tokens.start[i]!, tokens.end[i]!)}' is ${scopeAt(tokens.start[i]!)}`);
      }
      for (let c = 0; c < tokens.comments.length; c += 2) {
        checked++;
        if (!/^comment\./.test(scopeAt(tokens.comments[c]!))) wrong.push(`${file.slice(ROOT.length + 1)}@${tokens.comments[c]}: a comment is ${scopeAt(tokens.comments[c]!)}`);
      }
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    expect(checked).toBeGreaterThan(10_000);
  });

  it("leaves no token with the file's scope alone in a golden sample", async () => {
    const g = await load();
    const text = readFileSync(join(ROOT, "examples", "clip.mm"), "utf8");
    const bare = tokenize(g, text).tokens.filter(([t, s]) => t.trim() !== "" && s.length < 2);
    expect(bare.map(([t]) => t)).toEqual([]);
  });

  it("tells a declaration's kind and name, and a contextual keyword from a name", async () => {
    const g = await load();
    const scopes = (line: string): string[] => tokenize(g, line).tokens.filter(([t]) => t.trim() !== "").map(([t, s]) => `${t}=${s[s.length - 1]}`);
    expect(scopes("tower Vision(width: Int = 768) {")).toEqual([
      "tower=storage.type.mm", "Vision=entity.name.type.mm", "(=punctuation.section.parens.begin.mm", "width=variable.other.mm",
      ":=punctuation.separator.colon.mm", "Int=support.type.builtin.mm", "==keyword.operator.assignment.mm", "768=constant.numeric.mm",
      ")=punctuation.section.parens.end.mm", "{=punctuation.section.block.begin.mm",
    ]);
    expect(scopes("  output = ViTDense(width, width)")[0]).toBe("output=variable.other.mm");
    expect(scopes("    output logits = head(x)")[0]).toBe("output=keyword.other.declaration.mm");
    expect(scopes("  param w: [B, 3] int64 init zeros")).toEqual([
      "param=keyword.other.declaration.mm", "w=variable.other.mm", ":=punctuation.separator.colon.mm", "[=punctuation.definition.shape.begin.mm",
      "B=variable.other.dim.mm", ",=punctuation.separator.comma.mm", "3=constant.numeric.mm", "]=punctuation.definition.shape.end.mm",
      "int64=support.type.dtype.mm", "init=keyword.other.declaration.mm", "zeros=variable.other.mm",
    ]);
  });
});
