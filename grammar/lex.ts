// The lexer of mm: text → flat token arrays (kind, start, end; no object per token), the
// `#` comments (doc strings and `mm fmt` need them), and the lexical diagnostics. It never
// stops: a malformed number or an unclosed string still lexes as its token (MM1004,
// MM1002), an unknown escape is reported inside its string (MM1001), and a run of
// characters that start no token is reported once and skipped (MM1003), so the parser
// always sees a sensible token stream.
import { diag, type Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { MAX_LITERAL, VALID_NUMBER } from "./syntax.js";
import { KEYWORDS, SINGLE, Tok } from "./tokens.js";

export interface Tokens {
  readonly count: number;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** `#` comments, in order: [start, end) pairs. */
  readonly comments: readonly number[];
}

export interface Lexed {
  readonly tokens: Tokens;
  /** MM1001 (unknown escape), MM1002, MM1003, MM1004, in source order. */
  readonly diagnostics: Diagnostic[];
}

/** Two- and three-character operators, tried before the single character (longest
 *  first): the kind and length packed as `kind | length << 8` (no pair per token), or -1. */
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

/** Where the number token starting at `i` ends: NUMBER_PATTERN (syntax.ts) as a loop. A
 *  regular expression here would need backtracking state per character, and a 10 MB literal
 *  overflowed V8's regexp stack. */
function numberEnd(text: string, i: number): number {
  const n = text.length;
  const digits = (j: number): number => {
    while (j < n && (isDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95)) j++;
    return j;
  };
  let j = digits(i + 1);
  if (text.charCodeAt(j) === 46 /* . */ && isDigit(text.charCodeAt(j + 1))) j = digits(j + 2);
  const e = text.charCodeAt(j);
  if (e === 101 || e === 69) { // e E, then an optional sign
    j++;
    const s = text.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    j = digits(j);
  }
  while (j < n) { // trailing letters are part of the (malformed) token: `12px`
    const d = text.charCodeAt(j);
    if (d >= 128 || CLASS[d]! < ID_START) break;
    j++;
  }
  return j;
}
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Where the string token starting at `i` ends: after its closing quote, or at the end of its
 *  line when unclosed (MM1002); whether it is closed, and whether it has an escape. A loop,
 *  as for numbers. */
function stringEnd(text: string, i: number): [end: number, closed: boolean, escaped: boolean] {
  const n = text.length;
  let escaped = false;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j);
    if (c === 34) return [j + 1, true, escaped];
    if (c === 10 || c === 13) return [j, false, escaped];
    if (c === 92 /* \\ */) {
      escaped = true;
      const d = text.charCodeAt(j + 1);
      if (j + 1 < n && d !== 10 && d !== 13) j++;
    }
  }
  return [n, false, escaped];
}


/** Character classes of ASCII, by code: a table, not a chain of comparisons per character. */
const OTHER = 0, SPACE = 1, ID_START = 2, DIGIT = 3;
const CLASS = new Uint8Array(128);
for (const c of [32, 9, 10, 13, 12, 11]) CLASS[c] = SPACE;
for (let c = 97; c <= 122; c++) CLASS[c] = ID_START;
for (let c = 65; c <= 90; c++) CLASS[c] = ID_START;
CLASS[95] = ID_START; // _
for (let c = 48; c <= 57; c++) CLASS[c] = DIGIT;
// A byte-order mark is allowed (and skipped) only as a file's first character (lex()); one
// anywhere else is an invalid character, as the Unicode standard has it.
const classOf = (c: number): number => (c < 128 ? CLASS[c]! : OTHER);

/** Whether some token, space or comment starts at `i`. */
function startsToken(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return classOf(c) !== OTHER || c === 35 || c === 34 || SINGLE.has(c) || longOperator(text, i, c) >= 0;
}

const CHAR_HINTS: Readonly<Record<string, string>> = {
  "&": "logical and is written '&&'",
  "|": "logical or is written '||'",
  "'": "strings are written in double quotes",
  "`": "strings are written in double quotes",
};

/** MM1003 for the run of characters that start no token at `i`; returns where it ends. */
function invalidRun(file: string, text: string, i: number, out: Diagnostic[]): number {
  const cp = text.codePointAt(i)!;
  const raw = String.fromCodePoint(cp);
  let j = i + raw.length;
  while (j < text.length && !startsToken(text, j)) j += text.codePointAt(j)! > 0xffff ? 2 : 1;
  // Invisible characters are named by code point: "invalid character 'U+00A0'".
  const char = /[\p{L}\p{N}\p{P}\p{S}]/u.test(raw) ? raw : `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  const hint = CHAR_HINTS[raw];
  out.push(diag("MM1003", { file, start: i, end: j }, { char }, hint !== undefined ? { hint } : {}));
  return j;
}

/** MM1002 and unknown escapes (MM1001) of the string token [i, j). */
function checkString(file: string, text: string, i: number, j: number, closed: boolean, out: Diagnostic[]): void {
  const image = text.slice(i, j);
  if (!closed) out.push(diag("MM1002", { file, start: i, end: j }));
  for (let k = image.indexOf("\\"); k >= 0; k = image.indexOf("\\", k + 2)) {
    const e = image[k + 1];
    if (e === undefined || '"\\nt'.includes(e)) continue;
    out.push(diag("MM1001", { file, start: i + k, end: i + k + 2 }, { message: `unknown escape sequence '\\${e}'` },
      { hint: 'escapes are \\" \\\\ \\n \\t' }));
  }
}

/** The tokens of `text`, with an Eof token last, and its lexical diagnostics. */
export function lex(file: string, text: string): Lexed {
  const n = text.length;
  let cap = (n >> 2) + 16;
  let kind = new Uint8Array(cap);
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  const comments: number[] = [];
  const diagnostics: Diagnostic[] = [];
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
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
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
      const j = numberEnd(text, i);
      const image = text.slice(i, j);
      if (j - i > MAX_LITERAL || !VALID_NUMBER.test(image)) {
        diagnostics.push(diag("MM1004", { file, start: i, end: j }, { text: image },
          { hint: "write digits with single `_` separators, e.g. `1_000`, `0.5`, `1e-6`" }));
      }
      push(Tok.NumberLit, i, j);
      i = j;
    } else if (c === 34 /* " */) {
      // Most strings are closed and without escapes: only others need a closer look.
      const [j, closed, escaped] = stringEnd(text, i);
      if (j - i > MAX_LITERAL) {
        diagnostics.push(diag("MM1001", { file, start: i, end: j }, { message: `a string of ${j - i} characters; strings are at most ${MAX_LITERAL}` }));
      } else if (!closed || escaped) {
        checkString(file, text, i, j, closed, diagnostics);
      }
      push(Tok.StringLit, i, j);
      i = j;
    } else {
      const long = longOperator(text, i, c);
      if (long >= 0) {
        push(long & 0xff, i, i + (long >> 8));
        i += long >> 8;
        continue;
      }
      const single = SINGLE.get(c);
      if (single === undefined) {
        i = invalidRun(file, text, i, diagnostics); // `&`, `|` alone, or a character that starts no token
        continue;
      }
      push(single, i, i + 1);
      i++;
    }
  }
  push(Tok.Eof, n, n);
  return { tokens: { count, kind, start, end, comments }, diagnostics };
}
