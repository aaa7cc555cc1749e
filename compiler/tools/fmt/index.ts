// `mm fmt`: the canonical layout of an .mm file. Only files that lex and parse cleanly
// are formatted (a lexical error would drop characters); the result is checked to hold
// exactly the same tokens and comments as the input, so formatting never changes a model.
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { parseFile } from "../../../grammar/index.js";
import { lex } from "../../../grammar/lex.js";
import { crammedBreaks, insertBreaks } from "./breaks.js";
import { layout } from "./layout.js";

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

function signature(path: string, text: string): string {
  const t = lex(path, text).tokens;
  const images: string[] = [];
  for (let i = 0; i < t.count; i++) images.push(text.slice(t.start[i]!, t.end[i]!));
  const comments: string[] = [];
  for (let c = 0; c < t.comments.length; c += 2) comments.push(text.slice(t.comments[c]!, t.comments[c + 1]!).replace(/\s+$/, ""));
  return JSON.stringify([images, comments]);
}

/** Formats one file's text. Errors: syntax diagnostics of the input. */
export function formatText(path: string, text: string): FormatResult {
  const parsed = parseFile(path, text);
  const errors = parsed.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) return { ok: false, diagnostics: errors };
  const unix = text.replace(/\r\n?/g, "\n");
  // The AST's offsets must be the text's that the breaks go into (CRLF files: parsed again).
  const ast = unix === text ? parsed.ast : parseFile(path, unix).ast;
  const broken = insertBreaks(unix, crammedBreaks(unix, ast));
  const out = layout(broken, lex(path, broken).tokens);
  if (signature(path, out) !== signature(path, text)) {
    throw new Error(`fmt: the layout of ${path} changed its tokens (a formatter bug)`);
  }
  return { ok: true, text: out, changed: out !== text };
}
