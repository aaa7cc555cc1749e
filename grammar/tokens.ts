// The tokens of mm: kinds, keywords, punctuation and the labels syntax errors use. Reserved
// keywords are never names; contextual keywords (between `In` and `Identifier`) are names
// wherever the grammar expects one: `in` is the usual name of an input width.

/** Token kinds. */
export enum Tok {
  Eof,
  // reserved keywords
  Import, Enum, Let, Forward, Return, If, Then, Else, For, True, False, None,
  // contextual keywords (names too)
  In, From, As, Block, Tower, Fusion, Experts, Loss, Head, Model, Param, Buffer, Repeat, Where, With,
  Input, Output, Task, Stage, Route, By, Init, Layout,
  Identifier,
  NumberLit, StringLit,
  // binary operators but `**`
  SlashSlash, EqEq, NotEq, LtEq, GtEq, AndAnd, OrOr, Plus, Minus, Star, Slash, Percent, At, Lt, Gt,
  // other punctuation
  Ellipsis, Arrow, StarStar, Bang, Eq, Colon, Comma, Dot, Semi, LParen, RParen, LBracket, RBracket, LBrace, RBrace,
}

export const isName = (k: Tok): boolean => k >= Tok.In && k <= Tok.Identifier;
export const isBinOp = (k: Tok): boolean => k >= Tok.SlashSlash && k <= Tok.Gt;
export const isReserved = (k: Tok): boolean => k >= Tok.Import && k <= Tok.None;

/** Keywords that start a declaration with a body. */
export const BLOCK_KINDS: ReadonlySet<Tok> = new Set([Tok.Block, Tok.Tower, Tok.Fusion, Tok.Experts, Tok.Loss, Tok.Head, Tok.Model]);

const WORDS: readonly (readonly [string, Tok])[] = [
  ["import", Tok.Import], ["enum", Tok.Enum], ["let", Tok.Let], ["forward", Tok.Forward], ["return", Tok.Return],
  ["if", Tok.If], ["then", Tok.Then], ["else", Tok.Else], ["for", Tok.For], ["true", Tok.True], ["false", Tok.False],
  ["none", Tok.None], ["in", Tok.In], ["from", Tok.From], ["as", Tok.As], ["block", Tok.Block], ["tower", Tok.Tower],
  ["fusion", Tok.Fusion], ["experts", Tok.Experts], ["loss", Tok.Loss], ["head", Tok.Head], ["model", Tok.Model],
  ["param", Tok.Param], ["buffer", Tok.Buffer], ["repeat", Tok.Repeat], ["where", Tok.Where], ["with", Tok.With], ["input", Tok.Input],
  ["output", Tok.Output], ["task", Tok.Task], ["stage", Tok.Stage], ["route", Tok.Route], ["by", Tok.By], ["init", Tok.Init],
  ["layout", Tok.Layout],
];
export const KEYWORDS: ReadonlyMap<string, Tok> = new Map(WORDS);

const PUNCT: readonly (readonly [string, Tok])[] = [
  ["//", Tok.SlashSlash], ["==", Tok.EqEq], ["!=", Tok.NotEq], ["<=", Tok.LtEq], [">=", Tok.GtEq], ["&&", Tok.AndAnd],
  ["||", Tok.OrOr], ["+", Tok.Plus], ["-", Tok.Minus], ["*", Tok.Star], ["/", Tok.Slash], ["%", Tok.Percent], ["@", Tok.At],
  ["<", Tok.Lt], [">", Tok.Gt], ["...", Tok.Ellipsis], ["->", Tok.Arrow], ["**", Tok.StarStar], ["!", Tok.Bang], ["=", Tok.Eq],
  [":", Tok.Colon], [",", Tok.Comma], [".", Tok.Dot], [";", Tok.Semi], ["(", Tok.LParen], [")", Tok.RParen], ["[", Tok.LBracket],
  ["]", Tok.RBracket], ["{", Tok.LBrace], ["}", Tok.RBrace],
];

/** Single-character tokens by character code. */
export const SINGLE: ReadonlyMap<number, Tok> = new Map(PUNCT.filter(([s]) => s.length === 1).map(([s, k]) => [s.charCodeAt(0), k]));

const LABELS = new Map<Tok, string>([
  [Tok.Eof, "end of file"], [Tok.Identifier, "a name"], [Tok.NumberLit, "a number"], [Tok.StringLit, "a string"],
  ...WORDS.map(([w, k]) => [k, `'${w}'`] as const), ...PUNCT.map(([s, k]) => [k, `'${s}'`] as const),
]);

/** What a syntax error calls a token kind it expected: "')'", "a name", "end of file". */
export function label(k: Tok): string {
  return LABELS.get(k)!;
}
