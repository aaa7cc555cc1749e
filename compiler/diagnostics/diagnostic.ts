// Diagnostics carry spans, never line numbers: the edge (CLI, JSON) turns spans
// into file:line:col and caret frames.
import type { Span } from "../ast/ast.js";
import { CODES, type ArgsOf, type Code } from "./codes.js";
import { mergeInstances, type ContextLink } from "./context.js";

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
  /** The instance paths where it arose, when it arose inside a block's instance: one
   *  diagnostic for the same error from several instances of one block. */
  readonly instances?: readonly string[];
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
  /** The instantiations it has passed through on its way out, innermost first. */
  readonly chain: ContextLink[] = [];
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
  /** Key → index in items. */
  private readonly seen = new Map<string, number>();
  constructor(readonly cap = 50) {}
  add(d: Diagnostic): void {
    // The same error reached through two instances of one block is reported once, with
    // the other instances listed.
    const key = diagnosticKey(d);
    const at = this.seen.get(key);
    if (at !== undefined) {
      this.items[at] = mergeInstances(this.items[at]!, d);
      return;
    }
    this.seen.set(key, this.items.length);
    this.items.push(d);
  }
  get errorCount(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }
  get full(): boolean {
    return this.errorCount >= this.cap;
  }
}

/** What makes two diagnostics the same error: code, place and message. */
function diagnosticKey(d: Diagnostic): string {
  return `${d.code}:${d.span.file}:${d.span.start}:${d.span.end}:${d.message}`;
}

export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) =>
    a.span.file < b.span.file ? -1 : a.span.file > b.span.file ? 1 : a.span.start - b.span.start || a.code.localeCompare(b.code),
  );
}
