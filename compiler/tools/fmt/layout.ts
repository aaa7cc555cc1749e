// `mm fmt`'s layout: a token-stream formatter. The grammar ignores whitespace, so the
// formatter keeps every token and comment in order and only re-decides the whitespace:
// indentation (2 spaces per `{`; continuation lines aligned after their open bracket, or
// 2 more than the line that opened a hanging bracket, or 2 more than their statement),
// spaces between tokens (spacing.ts), `{` moved up onto the declaration line, runs of
// blank lines collapsed to one, none after `{` or before `}`, one between top-level
// declarations, no trailing whitespace. Line breaks are otherwise kept as written (breaks.ts
// adds the ones a crammed declaration lacks before this runs).
import type { Tokens } from "../../../grammar/lex.js";
import { BLOCK_KINDS, Tok as T } from "../../../grammar/tokens.js";
import { endsOperand, isClose, isOpen, isUnary, spaceBetween, toFmtTokens, type FmtToken } from "./spacing.js";

interface SourceLine {
  readonly tokens: FmtToken[];
  /** Trailing (or whole-line) comment, with its column in the source. */
  comment?: { readonly text: string; readonly col: number; readonly indent: string };
}

interface Open {
  readonly type: T;
  /** Column of the bracket in the output. */
  readonly col: number;
  /** Indentation of the output line the bracket is on. */
  readonly lineIndent: number;
  /** Nothing follows the bracket on its line. */
  readonly hanging: boolean;
  readonly subscript: boolean;
}

interface OutLine {
  text: string;
  readonly kind: "code" | "comment" | "blank";
  hasComment: boolean;
}

const DECL_START = new Set<T>([...BLOCK_KINDS, T.Enum]);
const CONTINUES_AFTER = new Set<T>([
  T.Comma, T.Eq, T.Arrow, T.Colon, T.Dot, T.Plus, T.Minus, T.Star, T.Slash, T.SlashSlash, T.Percent,
  T.At, T.StarStar, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.AndAnd, T.OrOr, T.Bang,
  T.If, T.Then, T.Else, T.Where,
]);
const CONTINUES_WITH = new Set<T>([
  T.Arrow, T.Where, T.Dot, T.Eq, T.Then, T.Else, T.Star, T.Slash, T.SlashSlash, T.Percent, T.At,
  T.StarStar, T.EqEq, T.NotEq, T.LtEq, T.GtEq, T.Lt, T.Gt, T.AndAnd, T.OrOr, T.Plus, T.Init,
]);

function splitLines(text: string, tokens: Tokens): SourceLine[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  const lines: SourceLine[] = starts.map(() => ({ tokens: [] }));
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const t of toFmtTokens(tokens, text)) lines[t.line]!.tokens.push(t);
  const comments = tokens.comments;
  for (let c = 0; c < comments.length; c += 2) {
    const start = comments[c]!;
    const l = lineOf(start);
    const col = start - starts[l]!;
    lines[l]!.comment = { text: text.slice(start, comments[c + 1]!).replace(/\s+$/, ""), col, indent: text.slice(starts[l]!, start).replace(/\t/g, "  ") };
  }
  return lines;
}

/** Lays out a lexed file; `tokens` are the lexer's (comments included). */
export function layout(text: string, tokens: Tokens): string {
  const out: OutLine[] = [];
  const stack: Open[] = [];
  let prev: FmtToken | undefined;
  let prevUnary = false;
  let pendingBlank = false;
  const braceDepth = (): number => stack.filter((o) => o.type === T.LBrace).length;
  const last = (): OutLine | undefined => out[out.length - 1];

  const blankAllowed = (first: FmtToken | undefined): boolean => {
    const l = last();
    if (!l || l.kind === "blank") return false;
    if (l.kind === "code" && !l.hasComment && l.text.endsWith("{")) return false;
    return first === undefined || first.type !== T.RBrace;
  };

  /** Emits `toks` after `start` text; returns the line text. */
  const emit = (start: string, toks: readonly FmtToken[], indent: number): string => {
    let s = start;
    // Whether the line has code yet: a flag, not a test of the line so far at every token
    // (which made a 30,000-item list take 20 s to format).
    let code = /\S/.test(start);
    toks.forEach((t, i) => {
      if (code) {
        const top = stack[stack.length - 1];
        const inInlineBrace = top !== undefined && top.type === T.LBrace && !top.hanging;
        const ctx = { prevUnary, inSubscript: top?.subscript ?? false, inInlineBrace };
        const gap = prev === undefined ? 1 : spaceBetween(prev, t, ctx);
        s += " ".repeat(gap);
      }
      const unary = isUnary(prev, t);
      if (isOpen(t.type)) {
        const subscript = t.type === T.LBracket && prev !== undefined && endsOperand(prev.type) && !t.spaced;
        stack.push({ type: t.type, col: s.length, lineIndent: indent, hanging: i === toks.length - 1, subscript });
      } else if (isClose(t.type)) {
        stack.pop();
      }
      s += t.image;
      code = true;
      prev = t;
      prevUnary = unary;
    });
    return s;
  };

  for (const line of splitLines(text, tokens)) {
    const first = line.tokens[0];
    if (!first) {
      if (!line.comment) {
        pendingBlank = true;
        continue;
      }
      // A comment on its own line: indented like the code around it.
      const top = stack[stack.length - 1];
      const ind = top && top.type !== T.LBrace ? line.comment.indent : " ".repeat(2 * braceDepth());
      if (pendingBlank && blankAllowed(undefined)) out.push({ text: "", kind: "blank", hasComment: false });
      pendingBlank = false;
      out.push({ text: ind + line.comment.text, kind: "comment", hasComment: true });
      continue;
    }
    // `{` alone on its line joins the line above.
    const l = last();
    if (first.type === T.LBrace && line.tokens.length === 1 && !line.comment && l && l.kind === "code" && !l.hasComment) {
      l.text = emit(l.text, line.tokens, l.text.length - l.text.trimStart().length);
      pendingBlank = false;
      continue;
    }
    const top = stack[stack.length - 1];
    let indent: number;
    let continuation = false;
    if (top && top.type === T.LBrace && !top.hanging) {
      // Inside a one-line `{ ... }` that goes on: as written, but indented past its line.
      indent = Math.max(top.lineIndent + 2, first.col);
      continuation = true;
    } else if (top && top.type !== T.LBrace) {
      const closing = isClose(first.type);
      indent = top.hanging ? top.lineIndent + (closing ? 0 : 2) : top.col + (closing ? 0 : 1);
      continuation = true;
    } else {
      indent = 2 * braceDepth() - (first.type === T.RBrace ? 2 : 0);
      const binaryStart = CONTINUES_WITH.has(first.type) || (first.type === T.Minus && prev !== undefined && endsOperand(prev.type));
      if (prev && prev.type !== T.LBrace && prev.type !== T.RBrace && (binaryStart || CONTINUES_AFTER.has(prev.type))) {
        continuation = true;
        // Aligned as written when deeper than the minimum (`+ b` under its operand).
        indent = Math.max(indent + 2, first.col);
      }
    }
    indent = Math.max(indent, 0);
    if (!continuation && stack.length === 0 && DECL_START.has(first.type)) {
      // One blank line before a top-level declaration (and its comments).
      let i = out.length;
      while (i > 0 && out[i - 1]!.kind === "comment") i--;
      if (i > 0 && out[i - 1]!.kind === "code") {
        out.splice(i, 0, { text: "", kind: "blank", hasComment: false });
      }
    }
    if (pendingBlank && blankAllowed(first)) out.push({ text: "", kind: "blank", hasComment: false });
    pendingBlank = false;
    let s = emit(" ".repeat(indent), line.tokens, indent);
    if (line.comment) s += " ".repeat(Math.max(1, line.comment.col - s.length)) + line.comment.text;
    out.push({ text: s.replace(/\s+$/, ""), kind: "code", hasComment: line.comment !== undefined });
  }
  while (out.length > 0 && out[out.length - 1]!.kind === "blank") out.pop();
  return out.length === 0 ? "" : out.map((o) => o.text).join("\n") + "\n";
}
