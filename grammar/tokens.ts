// Token definitions and the lexer of mm. Contextual keywords belong to the `Name`
// category, so the parser accepts them wherever a plain name is expected; reserved
// keywords do not. Malformed numbers and unterminated strings still lex as tokens (the
// checks in `lex` report them), so the parser sees a sensible token stream.
import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";
import type { Span } from "../compiler/ast/ast.js";
import { diag, type Diagnostic } from "../compiler/diagnostics/diagnostic.js";
import { CLOSED_STRING, NUMBER_PATTERN, VALID_NUMBER } from "./syntax.js";

// ---------------------------------------------------------------- categories

/** Any identifier, including contextual keywords. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA, label: "a name" });
/** Every binary operator but `**`: expressions parse as flat operator chains. */
export const BinOp = createToken({ name: "BinOp", pattern: Lexer.NA, label: "a binary operator" });

// ---------------------------------------------------------------- trivia

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n\f\v\uFEFF]+/, group: Lexer.SKIPPED });
/** Comments go to their own group: `##` lines become doc strings. */
export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });

// ---------------------------------------------------------------- literals and names

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, categories: [Name], label: "a name" });
/** Greedy, then checked in `lex` (see NUMBER_PATTERN). */
export const NumberLit = createToken({ name: "NumberLit", pattern: NUMBER_PATTERN, label: "a number" });
/** The closing quote is optional so that an unterminated string still yields a token (MM1002). */
export const StringLit = createToken({ name: "StringLit", pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"?/, label: "a string" });

function keyword(word: string, contextual: boolean): TokenType {
  const name = word[0]!.toUpperCase() + word.slice(1) + "Kw";
  return createToken({
    name,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    label: `'${word}'`,
    ...(contextual ? { categories: [Name] } : {}),
  });
}

// Reserved keywords: never names.
export const Import = keyword("import", false);
export const Enum = keyword("enum", false);
export const Let = keyword("let", false);
export const Forward = keyword("forward", false);
export const Return = keyword("return", false);
export const If = keyword("if", false);
export const Then = keyword("then", false);
export const Else = keyword("else", false);
export const For = keyword("for", false);
export const True = keyword("true", false);
export const False = keyword("false", false);
export const None = keyword("none", false);

// Contextual keywords: keywords where the grammar expects them, names elsewhere. `in` is
// one too, since `in` is the usual name of an input width: `Linear(in: Int, out: Int)`.
export const In = keyword("in", true);
export const From = keyword("from", true);
export const As = keyword("as", true);
export const Block = keyword("block", true);
export const Tower = keyword("tower", true);
export const Fusion = keyword("fusion", true);
export const Experts = keyword("experts", true);
export const Loss = keyword("loss", true);
export const Head = keyword("head", true);
export const Model = keyword("model", true);
export const Param = keyword("param", true);
export const Buffer = keyword("buffer", true);
export const Repeat = keyword("repeat", true);
export const Where = keyword("where", true);
export const With = keyword("with", true);
export const Input = keyword("input", true);
export const Output = keyword("output", true);
export const Task = keyword("task", true);
export const Stage = keyword("stage", true);
export const Route = keyword("route", true);
export const By = keyword("by", true);
export const Init = keyword("init", true);

const reserved = [Import, Enum, Let, Forward, Return, If, Then, Else, For, True, False, None];
const contextual = [
  In, From, As, Block, Tower, Fusion, Experts, Loss, Head, Model, Param, Buffer, Repeat, Where, With,
  Input, Output, Task, Stage, Route, By, Init,
];
/** Token types that start a top-level declaration with a block body. */
export const BLOCK_KIND_TOKENS: readonly TokenType[] = [Block, Tower, Fusion, Experts, Loss, Head, Model];

// ---------------------------------------------------------------- punctuation

function punct(name: string, text: string, categories?: TokenType[]): TokenType {
  const escaped = text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return createToken({ name, pattern: new RegExp(escaped), label: `'${text}'`, ...(categories ? { categories } : {}) });
}

export const Ellipsis = punct("Ellipsis", "...");
export const Arrow = punct("Arrow", "->");
export const StarStar = punct("StarStar", "**");
export const SlashSlash = punct("SlashSlash", "//", [BinOp]);
export const EqEq = punct("EqEq", "==", [BinOp]);
export const NotEq = punct("NotEq", "!=", [BinOp]);
export const LtEq = punct("LtEq", "<=", [BinOp]);
export const GtEq = punct("GtEq", ">=", [BinOp]);
export const AndAnd = punct("AndAnd", "&&", [BinOp]);
export const OrOr = punct("OrOr", "||", [BinOp]);
export const Plus = punct("Plus", "+", [BinOp]);
export const Minus = punct("Minus", "-", [BinOp]);
export const Star = punct("Star", "*", [BinOp]);
export const Slash = punct("Slash", "/", [BinOp]);
export const Percent = punct("Percent", "%", [BinOp]);
export const At = punct("At", "@", [BinOp]);
export const Lt = punct("Lt", "<", [BinOp]);
export const Gt = punct("Gt", ">", [BinOp]);
export const Bang = punct("Bang", "!");
export const Eq = punct("Eq", "=");
export const Colon = punct("Colon", ":");
export const Comma = punct("Comma", ",");
export const Dot = punct("Dot", ".");
export const Semi = punct("Semi", ";");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");

/** Lexer order matters: longer operators before their prefixes, keywords before Identifier. */
export const ALL_TOKENS: TokenType[] = [
  WhiteSpace, Comment,
  Name, BinOp,
  NumberLit, StringLit,
  // Longest keyword first: `in` would otherwise claim the start of `input` and `init`.
  ...[...reserved, ...contextual].sort((a, b) => String(b.PATTERN).length - String(a.PATTERN).length), Identifier,
  Ellipsis, Arrow, StarStar, SlashSlash, EqEq, NotEq, LtEq, GtEq, AndAnd, OrOr,
  Plus, Minus, Star, Slash, Percent, At, Lt, Gt, Bang, Eq, Colon, Comma, Dot, Semi,
  LParen, RParen, LBracket, RBracket, LBrace, RBrace,
];

/** `validate`: run chevrotain's token checks (test/grammar/validate.test.ts does). */
export function makeLexer(validate: boolean): Lexer {
  return new Lexer(ALL_TOKENS, { positionTracking: "onlyOffset", ensureOptimizations: false, skipValidations: !validate });
}
/** Made when first needed: the fast path (grammar/fast/) lexes most files without it. */
let lexer: Lexer | undefined;

export interface LexResult {
  readonly tokens: IToken[];
  readonly comments: IToken[];
  readonly diagnostics: Diagnostic[];
}

const CHAR_HINTS: Readonly<Record<string, string>> = {
  "&": "logical and is written '&&'",
  "|": "logical or is written '||'",
  "'": "strings are written in double quotes",
  "`": "strings are written in double quotes",
};

export function tokenSpan(file: string, t: IToken): Span {
  return { file, start: t.startOffset | 0, end: (t.startOffset + t.image.length) | 0 };
}

export function lex(file: string, text: string): LexResult {
  lexer ??= makeLexer(false);
  const result = lexer.tokenize(text);
  const diagnostics: Diagnostic[] = [];
  for (const e of result.errors) {
    // The lexer drops a run of characters that start no token; report its first character.
    const cp = text.codePointAt(e.offset) ?? 0;
    const raw = String.fromCodePoint(cp);
    // Invisible characters are named by code point: "invalid character 'U+00A0'".
    const char = /[\p{L}\p{N}\p{P}\p{S}]/u.test(raw) ? raw : `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
    const span = { file, start: e.offset, end: e.offset + Math.max(e.length, raw.length) };
    const hint = CHAR_HINTS[raw];
    diagnostics.push(diag("MM1003", span, { char }, hint !== undefined ? { hint } : {}));
  }
  for (const t of result.tokens) {
    t.endOffset = t.startOffset + t.image.length - 1; // inclusive, as chevrotain's own
    if (t.tokenType === NumberLit && !VALID_NUMBER.test(t.image)) {
      diagnostics.push(diag("MM1004", tokenSpan(file, t), { text: t.image },
        { hint: "write digits with single `_` separators, e.g. `1_000`, `0.5`, `1e-6`" }));
    } else if (t.tokenType === StringLit) {
      if (!CLOSED_STRING.test(t.image)) diagnostics.push(diag("MM1002", tokenSpan(file, t)));
      for (const m of t.image.matchAll(/\\(.)/g)) {
        if (!'"\\nt'.includes(m[1]!)) {
          const start = t.startOffset + (m.index ?? 0);
          diagnostics.push(diag("MM1001", { file, start, end: start + 2 },
            { message: `unknown escape sequence '\\${m[1]!}'` }, { hint: 'escapes are \\" \\\\ \\n \\t' }));
        }
      }
    }
  }
  const comments = (result.groups["comments"] ?? []) as IToken[];
  return { tokens: result.tokens, comments, diagnostics };
}
