// The fast path's lexer: the tokens of grammar/tokens.ts, scanned by hand into flat arrays
// (kind, start, end) instead of one object per token. It gives up (returns undefined) on
// anything the chevrotain lexer would report (a bad character, number or string), so those
// files take the slow path and get its diagnostics.
import { NUMBER_PATTERN, VALID_NUMBER } from "../syntax.js";

/** Token kinds. Contextual keywords come between `In` and `Identifier`: they are names
 *  wherever the grammar expects one. */
export enum Tok {
  Eof,
  // reserved keywords
  Import, Enum, Let, Forward, Return, If, Then, Else, For, True, False, None,
  // contextual keywords (names too)
  In, From, As, Block, Tower, Fusion, Experts, Loss, Head, Model, Param, Buffer, Repeat, Where, With,
  Input, Output, Task, Stage, Route, By, Init,
  Identifier,
  NumberLit, StringLit,
  // binary operators but `**`
  SlashSlash, EqEq, NotEq, LtEq, GtEq, AndAnd, OrOr, Plus, Minus, Star, Slash, Percent, At, Lt, Gt,
  // other punctuation
  Ellipsis, Arrow, StarStar, Bang, Eq, Colon, Comma, Dot, Semi, LParen, RParen, LBracket, RBracket, LBrace, RBrace,
}

export const isName = (k: Tok): boolean => k >= Tok.In && k <= Tok.Identifier;
export const isBinOp = (k: Tok): boolean => k >= Tok.SlashSlash && k <= Tok.Gt;

const KEYWORDS = new Map<string, Tok>([
  ["import", Tok.Import], ["enum", Tok.Enum], ["let", Tok.Let], ["forward", Tok.Forward], ["return", Tok.Return],
  ["if", Tok.If], ["then", Tok.Then], ["else", Tok.Else], ["for", Tok.For], ["true", Tok.True], ["false", Tok.False],
  ["none", Tok.None], ["in", Tok.In], ["from", Tok.From], ["as", Tok.As], ["block", Tok.Block], ["tower", Tok.Tower],
  ["fusion", Tok.Fusion], ["experts", Tok.Experts], ["loss", Tok.Loss], ["head", Tok.Head], ["model", Tok.Model],
  ["param", Tok.Param], ["buffer", Tok.Buffer], ["repeat", Tok.Repeat], ["where", Tok.Where], ["with", Tok.With], ["input", Tok.Input],
  ["output", Tok.Output], ["task", Tok.Task], ["stage", Tok.Stage], ["route", Tok.Route], ["by", Tok.By], ["init", Tok.Init],
]);

const SINGLE_KIND: Readonly<Record<string, Tok>> = {
  ".": Tok.Dot, "-": Tok.Minus, "*": Tok.Star, "/": Tok.Slash, "=": Tok.Eq, "!": Tok.Bang, "<": Tok.Lt, ">": Tok.Gt,
  "+": Tok.Plus, "%": Tok.Percent, "@": Tok.At, ":": Tok.Colon, ",": Tok.Comma, ";": Tok.Semi,
  "(": Tok.LParen, ")": Tok.RParen, "[": Tok.LBracket, "]": Tok.RBracket, "{": Tok.LBrace, "}": Tok.RBrace,
};
/** Single-character tokens by character code. */
const SINGLE = new Map<number, Tok>([...".-*/=!<>+%@:,;()[]{}"].map((c) => [c.charCodeAt(0), SINGLE_KIND[c]!]));

/** Two- and three-character operators, tried before the single character, as in the
 *  chevrotain lexer (longer patterns first): the kind and length packed as `kind | length << 8`
 *  (no pair per token), or -1. */
function longOperator(text: string, i: number, c: number): number {
  const d = text.charCodeAt(i + 1);
  switch (c) {
    case 46: return d === 46 && text.charCodeAt(i + 2) === 46 ? Tok.Ellipsis | (3 << 8) : -1; // ...
    case 45: return d === 62 ? Tok.Arrow | (2 << 8) : -1; // ->
    case 42: return d === 42 ? Tok.StarStar | (2 << 8) : -1; // **
    case 47: return d === 47 ? Tok.SlashSlash | (2 << 8) : -1; // //
    case 61: return d === 61 ? Tok.EqEq | (2 << 8) : -1; // ==
    case 33: return d === 61 ? Tok.NotEq | (2 << 8) : -1; // !=
    case 60: return d === 61 ? Tok.LtEq | (2 << 8) : -1; // <=
    case 62: return d === 61 ? Tok.GtEq | (2 << 8) : -1; // >=
    case 38: return d === 38 ? Tok.AndAnd | (2 << 8) : -1; // &&
    case 124: return d === 124 ? Tok.OrOr | (2 << 8) : -1; // ||
    default: return -1;
  }
}

/** The chevrotain lexer's number pattern, sticky: matched at a position. */
const NUMBER = new RegExp(NUMBER_PATTERN.source, "y");
/** A closed string whose escapes are all known. */
const STRING = /"(?:[^"\\\n\r]|\\["\\nt])*"/y;

export interface Tokens {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** `#` comments, in order: [start, end) pairs. */
  readonly comments: readonly number[];
}

/** Character classes of ASCII, by code: a table, not a chain of comparisons per character. */
const OTHER = 0, SPACE = 1, ID_START = 2, DIGIT = 3;
const CLASS = new Uint8Array(128);
for (const c of [32, 9, 10, 13, 12, 11]) CLASS[c] = SPACE;
for (let c = 97; c <= 122; c++) CLASS[c] = ID_START;
for (let c = 65; c <= 90; c++) CLASS[c] = ID_START;
CLASS[95] = ID_START; // _
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
const classOf = (c: number): number => (c < 128 ? CLASS[c]! : c === 0xfeff ? SPACE : OTHER);

/** The tokens of `text`, with an Eof token last; undefined where the slow lexer would report. */
export function fastLex(text: string): Tokens | undefined {
  const n = text.length;
  let cap = (n >> 2) + 16;
  let kind = new Uint8Array(cap);
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  const comments: number[] = [];
  let count = 0;
  const push = (k: Tok, s: number, e: number): void => {
    // Always room for three more: the parser looks up to two tokens past the current one,
    // and past Eof the zeroed arrays read as Eof again (Tok.Eof is 0).
    if (count + 3 >= cap) {
      cap *= 2;
      const k2 = new Uint8Array(cap); k2.set(kind); kind = k2;
      const s2 = new Int32Array(cap); s2.set(start); start = s2;
      const e2 = new Int32Array(cap); e2.set(end); end = e2;
    }
    kind[count] = k;
    start[count] = s;
    end[count] = e;
    count++;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const cls = classOf(c);
    if (cls === SPACE) {
      i++;
    } else if (c === 35 /* # */) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 10 && text.charCodeAt(j) !== 13) j++;
      comments.push(i, j);
      i = j;
    } else if (cls === ID_START) {
      let j = i + 1;
      for (; j < n; j++) { // letters, digits and _ (inline: this loop sees most characters)
        const d = text.charCodeAt(j);
        if (d >= 128 || CLASS[d]! < ID_START) break;
      }
      const kw = j - i <= 7 ? KEYWORDS.get(text.slice(i, j)) : undefined;
      push(kw ?? Tok.Identifier, i, j);
      i = j;
    } else if (cls === DIGIT) {
      NUMBER.lastIndex = i;
      NUMBER.test(text);
      const j = NUMBER.lastIndex;
      if (!VALID_NUMBER.test(text.slice(i, j))) return undefined;
      push(Tok.NumberLit, i, j);
      i = j;
    } else if (c === 34 /* " */) {
      STRING.lastIndex = i;
      if (!STRING.test(text)) return undefined;
      push(Tok.StringLit, i, STRING.lastIndex);
      i = STRING.lastIndex;
    } else {
      const long = longOperator(text, i, c);
      if (long >= 0) {
        push(long & 0xff, i, i + (long >> 8));
        i += long >> 8;
        continue;
      }
      const single = SINGLE.get(c);
      if (single === undefined) return undefined; // `&`, `|` alone, or a character that starts no token
      push(single, i, i + 1);
      i++;
    }
  }
  push(Tok.Eof, n, n);
  return { count, kind, start, end, comments };
}
