// The mm front end: text → AST, with syntax diagnostics. Never throws: every error,
// including an internal one, becomes a diagnostic. Two paths build the same AST:
//   - fast (grammar/fast/): a hand-written lexer and recursive descent parser that gives up
//     at the first thing that is not clean mm;
//   - full: chevrotain's lexer and parser, with error recovery and messages, then the CST →
//     AST builder. It takes every file the fast path gives up on.
// Most files are clean, and the fast path parses them several times faster (chevrotain's
// CST and its walk were half of `mm check stdlib`'s front end; see bench/check.ts).
// test/grammar/fast.test.ts holds the two paths to the same AST.
import type { IToken } from "chevrotain";
import type { FileAst } from "../compiler/ast/ast.js";
import { diag, type Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { AstBuilder } from "./ast-builder.js";
import { fastParse } from "./fast/parse.js";
import { parseTokens } from "./parser.js";
import { lex } from "./tokens.js";

export interface ParsedFile {
  readonly ast: FileAst;
  readonly diagnostics: Diagnostic[];
}

/** Start of the first token at or after `offset` (binary search), or `end` if there is none. */
function nextTokenStart(tokens: readonly IToken[], offset: number, end: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return tokens[lo]?.startOffset ?? end;
}

export function parseFile(path: string, text: string): ParsedFile {
  let ast: FileAst | undefined;
  try {
    ast = fastParse(path, text);
  } catch {
    ast = undefined; // a fault in the fast path costs time, not a result: the full path parses
  }
  return ast !== undefined ? { ast, diagnostics: [] } : parseFileFull(path, text);
}

/** The full path alone: chevrotain, recovery, every syntax diagnostic. */
export function parseFileFull(path: string, text: string): ParsedFile {
  const fileSpan = { file: path, start: 0, end: text.length };
  try {
    const lexed = lex(path, text);
    const parsed = parseTokens(lexed.tokens);
    const diagnostics = [...lexed.diagnostics];
    // Recovery can report several errors at one token; the first is the useful one. A token
    // right after a lexical error is no news either: the error is the lexer's.
    const seen = new Set<number>();
    for (const d of lexed.diagnostics) {
      if (d.code === "MM1002" || d.code === "MM1003") seen.add(nextTokenStart(lexed.tokens, d.span.end, text.length));
    }
    for (const e of parsed.errors) {
      const start = Number.isFinite(e.token.startOffset) ? e.token.startOffset : text.length;
      if (seen.has(start)) continue;
      seen.add(start);
      const end = Number.isFinite(e.token.startOffset) ? start + e.token.image.length : start;
      diagnostics.push(diag("MM1001", { file: path, start, end }, { message: e.message }));
    }
    const builder = new AstBuilder(path, text, lexed.comments, parsed.errors.length === 0);
    const ast = builder.build(parsed.cst, path);
    diagnostics.push(...builder.diagnostics);
    diagnostics.sort((a, b) => a.span.start - b.span.start);
    return { ast, diagnostics };
  } catch (e) {
    // Recursive descent runs out of stack on absurd nesting (hundreds of open brackets).
    const d = e instanceof RangeError
      ? diag("MM1001", { file: path, start: 0, end: 0 }, { message: "the file is nested too deeply to parse" },
        { hint: "split deeply nested expressions with `let`" })
      : diag("MM9001", fileSpan, { message: `parser: ${e instanceof Error ? e.message : String(e)}` });
    return { ast: { kind: "File", path, imports: [], decls: [], span: fileSpan }, diagnostics: [d] };
  }
}
