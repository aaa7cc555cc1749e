// Readable parser error messages: "expected ')' but found 'forward'", "expected an
// expression but found '}'". Messages name what the failing rule was looking for
// rather than listing token types.
import { EOF, tokenLabel, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import { RBrace } from "./tokens.js";

/** What a rule expects, for "no viable alternative" errors inside it. */
const RULE_EXPECTS: Readonly<Record<string, string>> = {
  file: "a declaration (import, enum, block, tower, fusion, experts, loss, head or model)",
  topDecl: "a declaration (import, enum, block, tower, fusion, experts, loss, head or model)",
  importDecl: "a string or '{' after 'import'",
  blockDecl: "a declaration kind",
  bodyItem: "a body item (let, param, name = Block(...), forward, route, input, task or stage)",
  fieldsItem: "'task' or 'stage'",
  stmt: "a statement",
  letStmt: "a name or '(' after 'let'",
  ifStmt: "'{' or 'if' after 'else'",
  forwardItem: "an output type",
  routeItem: "'by' or a routing strategy such as topk(...)",
  type: "a type",
  patternSegment: "a path segment (a name, a number, '*' or '**')",
  listField: "a path pattern",
  indexSuffix: "an index",
  indexItem: "an index or a slice",
  unaryExpr: "an expression",
  postfixOp: "'(', '.' or '['",
};

/** What else a rule would accept where its closing brace is missing. */
const BEFORE_CLOSE: Readonly<Record<string, string>> = {
  body: "a body item",
  stmtBlock: "a statement",
  fieldsItem: "a field such as `train: a, b`",
  variantDecl: "an override such as `image.width = 768`",
  enumDecl: "','",
  importDecl: "','",
};

function describe(token: IToken): string {
  return token.tokenType === EOF ? "end of file" : `'${token.image}'`;
}

function label(type: TokenType): string {
  return type === EOF ? "end of file" : tokenLabel(type);
}

function expects(ruleName: string, paths: readonly (readonly TokenType[])[]): string {
  const known = RULE_EXPECTS[ruleName];
  if (known !== undefined) return known;
  if (ruleName.endsWith("Expr") || ruleName === "primary" || ruleName === "expr") return "an expression";
  const firsts = [...new Set(paths.map((p) => p[0]).filter((t): t is TokenType => t !== undefined).map(label))];
  if (firsts.length === 0) return "more input";
  if (firsts.length === 1) return firsts[0]!;
  return `one of ${firsts.slice(0, -1).join(", ")} or ${firsts[firsts.length - 1]!}`;
}

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    // A repetition that stops early expects what follows it; say what could have continued it.
    if (expected === EOF) return `expected ${RULE_EXPECTS["file"]!} but found ${describe(actual)}`;
    const other = BEFORE_CLOSE[ruleName];
    if (expected === RBrace && other !== undefined) return `expected ${other} or '}' but found ${describe(actual)}`;
    return `expected ${label(expected)} but found ${describe(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `expected ${RULE_EXPECTS["file"]!} but found ${describe(firstRedundant)}`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const first = actual[0];
    const found = first === undefined ? "end of file" : describe(first);
    return `expected ${expects(ruleName, expectedPathsPerAlt.flat())} but found ${found}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, ruleName }) {
    const first = actual[0];
    const found = first === undefined ? "end of file" : describe(first);
    return `expected ${expects(ruleName, expectedIterationPaths)} but found ${found}`;
  },
};
