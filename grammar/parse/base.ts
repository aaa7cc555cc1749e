// The parser's ground floor: token access, spans, and syntax errors. An error is thrown
// (`SyntaxFailure`) up to the nearest recovery point (a declaration, body item, statement
// or field), which reports it and skips to where parsing can resume (`skipTo`). Only the
// first error at a token is reported, and none at the token right after a lexical error:
// that error is the lexer's.
import type * as A from "../../compiler/ast/ast.js";
import { diag, type Diagnostic } from "../../compiler/diagnostics/diagnostic.js";
import type { Tokens } from "../lex.js";
import { BLOCK_KINDS, isName, label, Tok } from "../tokens.js";

/** A syntax error on its way to the nearest recovery point. */
export class SyntaxFailure {
  constructor(readonly at: number, readonly message: string, readonly hint?: string, readonly tooDeep = false) {}
}

/**
 * How deep expressions, blocks and `else if` chains may nest. Recursive descent uses the
 * stack for nesting; past this budget the parser reports instead of recursing further.
 */
export const MAX_NESTING = 200;

const never = (): boolean => false;

export class ParserBase {
  protected pos = 0;
  protected depth = 0;
  /** A nesting error was reported in the current declaration. */
  protected deepReported = false;
  readonly diagnostics: Diagnostic[] = [];
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** Offsets where an error was reported, or where a lexical error makes one no news. */
  private readonly quiet: Set<number>;

  constructor(readonly file: string, readonly text: string, protected readonly toks: Tokens, quiet: Iterable<number>) {
    this.kinds = toks.kind;
    this.starts = toks.start;
    this.ends = toks.end;
    this.quiet = new Set(quiet);
  }

  // ------------------------------------------------------------ tokens and spans

  /** The kind of the current token, or of the one `ahead` places after it (up to two; past
   *  the end, Eof: see lex). */
  protected k(ahead = 0): Tok {
    return this.kinds[this.pos + ahead]! as Tok;
  }
  protected kindAt(i: number): Tok {
    return this.kinds[i]! as Tok;
  }
  protected expect(kind: Tok): number {
    if (this.kinds[this.pos] !== kind) this.fail(label(kind));
    return this.pos++;
  }
  protected expectName(): number {
    if (!isName(this.kinds[this.pos]! as Tok)) this.fail("a name");
    return this.pos++;
  }
  protected startOf(i: number): number {
    return this.starts[i]!;
  }
  /** End of the last token consumed: where the node being built ends. */
  protected last(): number {
    return this.ends[this.pos - 1]!;
  }
  protected image(i: number): string {
    return this.text.slice(this.starts[i]!, this.ends[i]!);
  }
  protected span(start: number, end: number): A.Span {
    return { file: this.file, start, end };
  }
  /** From the start of token `i` to the end of the last token consumed. */
  protected from(i: number): A.Span {
    return this.span(this.starts[i]!, this.ends[this.pos - 1]!);
  }
  protected tokSpan(i: number): A.Span {
    return this.span(this.starts[i]!, this.ends[i]!);
  }
  protected ident(i: number): A.Ident {
    return { kind: "Ident", name: this.image(i), span: this.tokSpan(i) };
  }

  // ------------------------------------------------------------ errors

  /** "expected X but found Y" at the current token. */
  protected failure(expected: string, hint?: string): SyntaxFailure {
    const found = this.k() === Tok.Eof ? "end of file" : `'${this.image(this.pos)}'`;
    return new SyntaxFailure(this.pos, `expected ${expected} but found ${found}`, hint);
  }
  protected fail(expected: string, hint?: string): never {
    throw this.failure(expected, hint);
  }

  /** One level deeper; past MAX_NESTING an error rather than a deeper stack. Recovery
   *  points restore the depth they started at, so no error path needs to unwind it. */
  protected enter(): void {
    if (++this.depth > MAX_NESTING) {
      throw new SyntaxFailure(this.pos, `brackets, blocks and \`else if\` nest more than ${MAX_NESTING} levels deep here`, "split deeply nested expressions with `let`", true);
    }
  }

  /** Reports an error unless one was reported at its token already (or lexing explains it). */
  protected report(e: unknown): void {
    if (!(e instanceof SyntaxFailure)) throw e;
    this.reportAt(this.tokSpan(e.at), e.message, e.hint, e.tooDeep ? "MM1006" : "MM1001");
  }

  /**
   * After error `e` in a construct that began at token `start`: reports it, restores the
   * nesting depth, and skips to `sync` (at least one token on, so a loop always advances).
   * After nesting too deep, a group resumes at its `}` only: the rest of a hostile chain
   * would fail again, once per level.
   */
  protected recover(e: unknown, start: number, depth: number, sync: (i: number) => boolean, atClose: boolean): void {
    const deep = e instanceof SyntaxFailure && e.tooDeep;
    // One nesting error per declaration: a hostile chain resumes inside itself and hits the budget again.
    if (!deep || !this.deepReported) this.report(e);
    if (deep) this.deepReported = true;
    this.depth = depth;
    if (this.pos === start) this.pos++;
    this.skipTo(atClose && deep ? never : sync, atClose);
  }

  protected reportAt(span: A.Span, message: string, hint?: string, code: "MM1001" | "MM1006" = "MM1001"): void {
    if (this.quiet.has(span.start)) return;
    this.quiet.add(span.start);
    this.diagnostics.push(diag(code, span, { message }, hint !== undefined ? { hint } : {}));
  }

  // ------------------------------------------------------------ recovery

  /**
   * Skips to the first token where `sync` says parsing can resume, stepping over `{ ... }`
   * groups whole. With `atClose`, it also stops at a `}` that closes an enclosing group.
   * Names count as sync points only where an item or statement plausibly starts (`name =`,
   * `param w`), so recovery does not stop at every name in a broken expression.
   */
  protected skipTo(sync: (i: number) => boolean, atClose: boolean): void {
    let braces = 0;
    for (;;) {
      const k = this.k();
      if (k === Tok.Eof) return;
      if (braces === 0 && ((atClose && k === Tok.RBrace) || sync(this.pos))) return;
      if (k === Tok.LBrace) braces++;
      else if (k === Tok.RBrace && braces > 0) braces--;
      this.pos++;
    }
  }

  /** Token `i` begins a line (or follows a `;` or `{`): where `name = ...` is a sync point.
   *  Inside a broken signature `mask: [B] bool = none` must not read as an item. */
  protected lineStart(i: number): boolean {
    if (i === 0) return true;
    const before = this.kinds[i - 1]!;
    if (before === Tok.Semi || before === Tok.LBrace) return true;
    for (let c = this.ends[i - 1]!; c < this.starts[i]!; c++) if (this.text.charCodeAt(c) === 10) return true;
    return false;
  }

  /** A declaration starts at `i`: `import`, `enum`, `model M =`, or `block B` followed by
   *  its parameters, `where` or its body (`loss l = e` is a statement, not a loss block). */
  protected declStart(i: number): boolean {
    const k = this.kindAt(i);
    if (k === Tok.Import || k === Tok.Enum) return true;
    if (!BLOCK_KINDS.has(k) || !isName(this.kindAt(i + 1))) return false;
    const next = this.kindAt(i + 2);
    return next === Tok.LParen || next === Tok.LBrace || next === Tok.Where || (k === Tok.Model && next === Tok.Eq);
  }
}
