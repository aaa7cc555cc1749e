// `mm fmt`: the canonical layout of an .mm file. Only files that lex and parse cleanly
// are formatted (a lexical error would drop characters); the result is checked to hold
// exactly the same tokens and comments as the input, so formatting never changes a model.
import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { parseFile } from "../../../grammar/index.js";
import { lex } from "../../../grammar/tokens.js";
import { layout } from "./layout.js";

export type FormatResult =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };

function signature(path: string, text: string): string {
  const l = lex(path, text);
  return JSON.stringify([l.tokens.map((t) => t.image), l.comments.map((c) => c.image.replace(/\s+$/, ""))]);
}

/** Formats one file's text. Errors: syntax diagnostics of the input. */
export function formatText(path: string, text: string): FormatResult {
  const errors = parseFile(path, text).diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) return { ok: false, diagnostics: errors };
  const lexed = lex(path, text.replace(/\r\n?/g, "\n"));
  const out = layout(text.replace(/\r\n?/g, "\n"), lexed.tokens, lexed.comments);
  if (signature(path, out) !== signature(path, text)) {
    throw new Error(`fmt: the layout of ${path} changed its tokens (a formatter bug)`);
  }
  return { ok: true, text: out, changed: out !== text };
}
