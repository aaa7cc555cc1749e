// The mm front end: text → AST, with syntax diagnostics. Never throws: every error,
// including an internal one, becomes a diagnostic. One hand-written lexer (lex.ts) and one
// recursive descent parser with error recovery (parse/): declarations, body items and
// statements are recovery points, so one run reports every broken item of a file.
// (Until #16 a chevrotain parser did the recovery and the hand-written one only parsed clean
// files; one parser with recovery is seven times faster than chevrotain's on the stdlib.)
import type { FileAst } from "../compiler/ast/ast.js";
import { diag, type Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { lex, type Tokens } from "./lex.js";
import { Parser } from "./parse/decl.js";

export interface ParsedFile {
  readonly ast: FileAst;
  readonly diagnostics: Diagnostic[];
}

/** Start of the first token at or after `offset` (binary search), or `end` if there is none. */
function nextTokenStart(tokens: Tokens, offset: number, end: number): number {
  let lo = 0;
  let hi = tokens.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens.start[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < tokens.count ? tokens.start[lo]! : end;
}

export function parseFile(path: string, text: string): ParsedFile {
  const fileSpan = { file: path, start: 0, end: text.length };
  try {
    const lexed = lex(path, text);
    // A syntax error right after an unclosed string or a bad character is no news: the
    // error is the lexer's.
    const quiet = lexed.diagnostics.filter((d) => d.code === "MM1002" || d.code === "MM1003")
      .map((d) => nextTokenStart(lexed.tokens, d.span.end, text.length));
    const parser = new Parser(path, text, lexed.tokens, quiet);
    const ast = parser.parseFile();
    const diagnostics = [...lexed.diagnostics, ...parser.diagnostics];
    diagnostics.sort((a, b) => a.span.start - b.span.start);
    return { ast, diagnostics };
  } catch (e) {
    const d = diag("MM9001", fileSpan, { message: `parser: ${e instanceof Error ? e.message : String(e)}` });
    return { ast: { kind: "File", path, imports: [], decls: [], span: fileSpan }, diagnostics: [d] };
  }
}
