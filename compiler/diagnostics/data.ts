// A diagnostic as plain data, spans turned into 1-based lines and columns (the end
// exclusive): what `--json` prints and the compiler API returns. Only the edges call this;
// the core keeps spans.
import type { Span } from "../ast/ast.js";
import type { Diagnostic } from "./diagnostic.js";

export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Line starts of the text last asked about: diagnostics come in runs over one file, and a
 *  scan from the top per diagnostic made thousands of them quadratic in the file. */
let lastText: string | undefined;
let lastStarts: number[] = [];

export function positionOf(text: string, offset: number): Position {
  if (text !== lastText) {
    lastStarts = [0];
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lastStarts.push(i + 1);
    lastText = text;
  }
  const at = Math.min(Math.max(offset, 0), text.length);
  let lo = 0;
  let hi = lastStarts.length - 1;
  while (lo < hi) { // the last line start at or before `at`
    const mid = (lo + hi + 1) >> 1;
    if (lastStarts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lastStarts[lo]! + 1 };
}

export interface PlacedSpan {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface DiagnosticData extends PlacedSpan {
  readonly code: string;
  readonly severity: Diagnostic["severity"];
  readonly message: string;
  readonly hint?: string;
  readonly related: readonly ({ readonly message: string } & PlacedSpan)[];
  /** The instance paths where the error arose (one diagnostic for all instances of a block). */
  readonly instances?: readonly string[];
}

/** `file` says how a path is shown (the CLI: relative to the working directory). */
export function diagnosticData(d: Diagnostic, sources: ReadonlyMap<string, string>, file: (path: string) => string = (p) => p): DiagnosticData {
  const at = (s: Span): PlacedSpan => {
    const text = sources.get(s.file) ?? "";
    const a = positionOf(text, s.start), b = positionOf(text, s.end);
    return { file: file(s.file), line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  };
  return {
    code: d.code, severity: d.severity, message: d.message, ...at(d.span),
    ...(d.hint ? { hint: d.hint } : {}),
    related: d.related.map((r) => ({ message: r.message, ...at(r.span) })),
    ...(d.instances && d.instances.length > 1 ? { instances: d.instances } : {}),
  };
}
