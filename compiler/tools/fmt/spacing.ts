// Spacing between two tokens on one line of `mm fmt`'s output. The grammar ignores
// whitespace, so these rules only decide looks: spaces around binary operators, after
// commas and colons, none inside brackets, and none around `:` in a subscript (`x[:, 0]`).
import type { Tokens } from "../../../grammar/lex.js";
import { isName, Tok as T } from "../../../grammar/tokens.js";

/** A token as the formatter sees it: its type, text and whether whitespace preceded it. */
export interface FmtToken {
  readonly type: T;
  readonly image: string;
  /** Whitespace (or a line break) separated it from the previous token in the source. */
  readonly spaced: boolean;
  /** Spaces before it in the source when on the same line as the previous token. */
  readonly gap: number;
  readonly line: number;
  /** Its column in the source. */
  readonly col: number;
}

const OPEN = new Set<T>([T.LParen, T.LBracket, T.LBrace]);
const CLOSE = new Set<T>([T.RParen, T.RBracket, T.RBrace]);
const BINARY = new Set<T>([
  T.Plus, T.Minus, T.Star, T.Slash, T.SlashSlash, T.Percent, T.At, T.StarStar,
  T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.AndAnd, T.OrOr, T.Eq, T.Arrow,
]);
const RESERVED_WORDS = new Set<T>([T.Import, T.Enum, T.Let, T.Forward, T.Return, T.If, T.Then, T.Else, T.For]);

export function isOpen(t: T): boolean {
  return OPEN.has(t);
}
export function isClose(t: T): boolean {
  return CLOSE.has(t);
}

/** The token can end an operand: what follows it may be a binary operator, a call or a subscript. */
export function endsOperand(t: T): boolean {
  if (RESERVED_WORDS.has(t)) return false;
  return isName(t) || t === T.NumberLit || t === T.StringLit || t === T.True || t === T.False
    || t === T.None || t === T.Ellipsis || t === T.RParen || t === T.RBracket;
}

/** `-` or `!` used as a prefix operator. */
export function isUnary(prev: FmtToken | undefined, cur: FmtToken): boolean {
  if (cur.type !== T.Minus && cur.type !== T.Bang && cur.type !== T.Plus) return false;
  return cur.type === T.Bang || prev === undefined || !endsOperand(prev.type);
}

export interface SpaceContext {
  /** `prev` is a prefix operator. */
  readonly prevUnary: boolean;
  /** The innermost open bracket is a subscript `x[...]`. */
  readonly inSubscript: boolean;
  /** The innermost open bracket is a `{` on this line (`task t { losses: a  inputs: b }`). */
  readonly inInlineBrace: boolean;
}

/** Spaces to put between `prev` and `cur` (0 or 1). */
export function spaceBetween(prev: FmtToken, cur: FmtToken, ctx: SpaceContext): number {
  const p = prev.type;
  const c = cur.type;
  if (p === T.LBrace) return c === T.RBrace ? 0 : 1;
  // Fields of a one-line `{ ... }` may be set apart by two spaces, as written.
  if (ctx.inInlineBrace && prev.line === cur.line && cur.gap >= 2 && isName(c) && endsOperand(p)) return 2;
  if (c === T.RBrace) return 1;
  if (p === T.LParen || p === T.LBracket) return 0;
  if (c === T.RParen || c === T.RBracket) return 0;
  if (c === T.Comma || c === T.Semi) return 0;
  if (p === T.Comma || p === T.Semi) return 1;
  if (p === T.Dot || c === T.Dot) return 0;
  if (c === T.Colon) return 0;
  if (p === T.Colon) return ctx.inSubscript ? 0 : 1;
  if (ctx.prevUnary) return 0;
  if (BINARY.has(c) && !(c === T.Minus && !endsOperand(p))) return 1;
  if (BINARY.has(p)) return 1;
  if (c === T.Bang) return 1;
  // A call or subscript right after an operand: as written (`f(x)`, `for i in [..]`).
  if ((c === T.LParen || c === T.LBracket) && (endsOperand(p) || p === T.Forward)) return cur.spaced ? 1 : 0;
  return 1;
}

export function toFmtTokens(tokens: Tokens, text: string): FmtToken[] {
  const out: FmtToken[] = [];
  let line = 0;
  let pos = 0;
  let lineStart = 0;
  for (let i = 0; i < tokens.count - 1; i++) { // Eof aside
    const start = tokens.start[i]!;
    for (let c = pos; c < start; c++) {
      if (text.charCodeAt(c) === 10) {
        line++;
        lineStart = c + 1;
      }
    }
    const type = tokens.kind[i]! as T;
    out.push({ type, image: text.slice(start, tokens.end[i]!), spaced: pos > 0 && start > pos, gap: start - pos, line, col: start - lineStart });
    pos = tokens.end[i]!;
  }
  return out;
}
