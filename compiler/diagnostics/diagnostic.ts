// Diagnostics carry spans, never line numbers: the edge (CLI, JSON) turns spans
// into file:line:col and caret frames.
import type { Span } from "../ast/ast.js";
import { CODES, type ArgsOf, type Code } from "./codes.js";

export type Severity = "error" | "warning";

export interface Related {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related: readonly Related[];
  readonly hint?: string;
}

export type TemplateArgs = Readonly<Record<string, string | number>>;

/** How much of one argument a message quotes: a hostile program's 10 MB string or a path
 *  through a symlink to a secret must not be printed whole. */
export const MAX_QUOTE = 200;

/** Fills `{name}` holes of a template; a missing argument is an internal error. */
export function fillTemplate(template: string, args: TemplateArgs): string {
  return template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = args[key];
    if (v === undefined) throw new Error(`internal: template argument '${key}' missing`);
    const s = String(v);
    return s.length > MAX_QUOTE ? `${s.slice(0, MAX_QUOTE - 20)}… (${s.length} characters)` : s;
  });
}

export interface DiagOptions {
  readonly related?: readonly Related[];
  readonly hint?: string;
}

/** A code's template arguments (left out when its template has no holes), then options. */
type DiagRest<C extends Code> = [keyof ArgsOf<C>] extends [never]
  ? [args?: ArgsOf<C>, opts?: DiagOptions]
  : [args: ArgsOf<C>, opts?: DiagOptions];

export function diag<C extends Code>(code: C, span: Span, ...[args, opts = {}]: DiagRest<C>): Diagnostic {
  const entry = CODES[code];
  return {
    code,
    severity: entry.severity,
    message: fillTemplate(entry.template, args ?? {}),
    span,
    related: opts.related ?? [],
    ...(opts.hint !== undefined ? { hint: opts.hint } : {}),
  };
}

/** Thrown inside a pass to abandon the current unit of work after reporting; never escapes a pass. */
export class DiagnosticError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    // A diagnostic carries its span; a JS stack would cost more than the rest of the throw
    // (thousands of them on a hostile file) and is never shown.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(diagnostic.message);
    Error.stackTraceLimit = limit;
  }
}

export function fail<C extends Code>(code: C, span: Span, ...rest: DiagRest<C>): never {
  throw new DiagnosticError(diag(code, span, ...rest));
}

/** Collects diagnostics with a cap, so a pathological input cannot flood the terminal. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  constructor(readonly cap = 50) {}
  add(d: Diagnostic): void {
    // The same error reached through two instances of one block is reported once.
    const key = `${d.code}:${d.span.file}:${d.span.start}:${d.span.end}:${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }
  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }
  get full(): boolean {
    return this.errorCount >= this.cap;
  }
}

export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) =>
    a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : a.span.start - b.span.start || a.code.localeCompare(b.code),
  );
}
