// The mm front end: text → tokens → CST → AST, with syntax diagnostics. Never throws:
// every error, including an internal one, becomes a diagnostic.
import type { FileAst } from "../compiler/ast/ast.js";
import { diag, type Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { AstBuilder } from "./ast-builder.js";
import { parseTokens } from "./parser.js";
import { lex } from "./tokens.js";

export interface ParsedFile {
  readonly ast: FileAst;
  readonly diagnostics: Diagnostic[];
}

export function parseFile(path: string, text: string): ParsedFile {
  const fileSpan = { file: path, start: 0, end: text.length };
  try {
    const lexed = lex(path, text);
    const parsed = parseTokens(lexed.tokens);
    const diagnostics = [...lexed.diagnostics];
    // Recovery can report several errors at one token; the first is the useful one. A token
    // right after a lexical error is no news either: the error is the lexer's.
    const seen = new Set<number>();
    for (const d of lexed.diagnostics) {
      const next = lexed.tokens.find((t) => t.startOffset >= d.span.end);
      if (d.code !== "MM1004" && d.code !== "MM1001") seen.add(next?.startOffset ?? text.length);
    }
    for (const e of parsed.errors) {
      const start = Number.isFinite(e.token.startOffset) ? e.token.startOffset : text.length;
      if (seen.has(start)) continue;
      seen.add(start);
      const end = Number.isFinite(e.token.startOffset) ? start + e.token.image.length : start;
      diagnostics.push(diag("MM1001", { file: path, start, end }, { message: e.message }));
    }
    const builder = new AstBuilder(path, text, lexed.comments);
    const ast = builder.build(parsed.cst, path);
    diagnostics.push(...builder.diagnostics);
    diagnostics.sort((a, b) => a.span.start - b.span.start);
    return { ast, diagnostics };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      ast: { kind: "File", path, imports: [], decls: [], span: fileSpan },
      diagnostics: [diag("MM9001", fileSpan, { message: `parser: ${message}` })],
    };
  }
}
