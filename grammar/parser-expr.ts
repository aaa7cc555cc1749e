// Expression and type rules of the mm grammar, and the tuning of chevrotain's error
// recovery; the base of MmParser (parser.ts), which runs the self-analysis over both.
import { CstParser, EOF, tokenMatcher, type CstNode, type IToken, type ParserMethod, type TokenType } from "chevrotain";
import * as T from "./tokens.js";
import { errorMessages } from "./errors.js";

/** Chevrotain internals used by the recovery tuning below (not in its public typings). */
interface Internals {
  flattenFollowSet(): TokenType[];
  SKIP_TOKEN(): IToken;
}

const WEAK: ReadonlySet<TokenType> = new Set([
  T.NumberLit, T.StringLit, T.True, T.False, T.None, T.LParen, T.LBracket, T.Minus, T.Bang, T.Ellipsis,
]);

/** DSL occurrence index used by `commaList` (and +1), above the 0-4 that rules use directly. */
export const LIST = 5;

export class ExprParser extends CstParser {
  /** `validate`: run chevrotain's grammar checks (a test does; every `mm` run need not). */
  constructor(validate: boolean) {
    // Three tokens of lookahead suffice for the grammar; each more one costs start-up time
    // (LL(k) lookahead functions are built when the parser is constructed, at every `mm` run).
    super(T.ALL_TOKENS, { recoveryEnabled: true, maxLookahead: 3, errorMessageProvider: errorMessages, skipValidations: !validate,
      // Node offsets, for spans (tokens get an end offset in lex()); recovery can leave them
      // wrong, so the builder uses them only for a parse without errors.
      nodeLocationTracking: "onlyOffset" });
  }

  // ------------------------------------------------------------ recovery

  /** The token chosen by the last `findReSyncTokenType`, for `reSyncTo`. */
  private resyncTarget: IToken | undefined;

  /**
   * Chevrotain re-syncs after an error at the first token in any follow set of the rule
   * stack. Names are in most of them (a submodule item starts with one), so it would stop
   * at any name, often the one that just failed, and a body loop that cannot advance gives
   * up on the whole declaration. Here a name counts only where an item or statement plausibly
   * starts: `name =`, or a keyword such as `param`, `loss`, `block` followed by a name.
   * Tokens that only start an expression (literals, `(`, `-`, ...) are no re-sync points.
   */
  findReSyncTokenType(): TokenType {
    const follows = (this as unknown as Internals).flattenFollowSet();
    for (let k = 1; ; k++) {
      const t = this.LA(k);
      if (t.tokenType === EOF) {
        this.resyncTarget = t;
        return EOF;
      }
      if (WEAK.has(t.tokenType)) continue;
      const next = this.LA(k + 1);
      const fit = follows.find((f) =>
        tokenMatcher(t, f) && (!tokenMatcher(t, T.Name) || (f === T.Name ? next.tokenType === T.Eq : tokenMatcher(next, T.Name))));
      if (fit !== undefined) {
        this.resyncTarget = t;
        return fit;
      }
    }
  }

  reSyncTo(tokType: TokenType): IToken[] {
    const target = this.resyncTarget;
    this.resyncTarget = undefined;
    const internals = this as unknown as Internals;
    for (let t = this.LA(1); t.tokenType !== EOF; t = this.LA(1)) {
      if (target !== undefined ? t === target : tokenMatcher(t, tokType)) break;
      internals.SKIP_TOKEN();
    }
    return [];
  }

  private readonly altCache = new Map<string, unknown>();

  /**
   * The alternatives of an OR, made once per parser: chevrotain's rule bodies run for every
   * invocation, and building a fresh array of closures at each primary or statement was a
   * tenth of parsing. Only for ORs whose alternatives capture nothing but the parser.
   */
  protected cached<T>(site: string, make: () => T): T {
    let v = this.altCache.get(site) as T | undefined;
    if (v === undefined) this.altCache.set(site, (v = make()));
    return v;
  }

  /** `item (, item)* ,?` inside the current rule; `idx` keeps DSL occurrences distinct. */
  protected commaList(rule: ParserMethod<[], CstNode>, idx: number, label?: string): void {
    const opts = label !== undefined ? { LABEL: label } : {};
    this.subrule(idx, rule, opts);
    this.many(idx, () => {
      this.consume(idx, T.Comma);
      this.subrule(idx + 1, rule, opts);
    });
    this.option(idx, () => this.consume(idx + 1, T.Comma, { LABEL: "trailing" }));
  }

  // ------------------------------------------------------------ types

  type = this.RULE("type", () => {
    this.OR(this.cached("type", () => [{ ALT: () => this.CONSUME(T.Name) }, { ALT: () => this.SUBRULE(this.tensorType) }]));
  });

  /**
   * `[d0, d1, ...] dtype?`. Whether a one-element bracket is a list type is decided by the
   * builder. `inItem` is set for `param` and `input` items, where the next item may be
   * `name = ...`: a name followed by `=` is then not a dtype.
   */
  tensorType = this.RULE("tensorType", (inItem?: boolean) => {
    this.CONSUME(T.LBracket);
    this.OPTION1(() => this.commaList(this.expr, LIST, "item"));
    this.CONSUME(T.RBracket);
    this.OPTION({
      GATE: () => inItem !== true || this.LA(2).tokenType !== T.Eq,
      DEF: () => this.CONSUME(T.Identifier, { LABEL: "dtype" }),
    });
  });

  // ------------------------------------------------------------ expressions

  /**
   * An expression is an `if` or a flat chain `operand (op operand)*` over every binary
   * operator; the builder applies precedence (grammar/build-expr.ts). One rule per
   * precedence level made each literal ten CST nodes deep, and parsing the stdlib twice as slow.
   */
  expr = this.RULE("expr", () => {
    this.OR(this.cached("expr", () => [
      { ALT: () => this.SUBRULE(this.ifExpr) },
      {
        ALT: () => {
          this.SUBRULE(this.unaryExpr, { LABEL: "operand" });
          this.MANY(() => {
            this.CONSUME(T.BinOp, { LABEL: "op" });
            this.SUBRULE1(this.unaryExpr, { LABEL: "operand" });
          });
        },
      },
    ]));
  });

  ifExpr = this.RULE("ifExpr", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr, { LABEL: "cond" });
    this.CONSUME(T.Then);
    this.SUBRULE1(this.expr, { LABEL: "then" });
    this.CONSUME(T.Else);
    this.SUBRULE2(this.expr, { LABEL: "else" });
  });

  /** Prefix operators, then a postfix expression, then `** exponent`: `**` binds tighter
   *  than a unary minus on its left and is right associative. */
  unaryExpr = this.RULE("unaryExpr", () => {
    this.MANY(() => {
      this.OR(this.cached("prefix", () => [{ ALT: () => this.CONSUME(T.Minus, { LABEL: "prefix" }) }, { ALT: () => this.CONSUME(T.Bang, { LABEL: "prefix" }) }]));
    });
    this.postfixBody();
    this.OPTION(() => {
      this.CONSUME(T.StarStar);
      this.SUBRULE(this.unaryExpr, { LABEL: "exponent" });
    });
  });

  /** A primary and its postfix operators alone (the call of a submodule item). */
  postfixExpr = this.RULE("postfixExpr", () => this.postfixBody());

  /** A primary (its token or node directly in the enclosing rule) and `postfixOp`s. */
  private postfixBody(): void {
    this.OR1(this.cached("primary", () => [
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.None) },
      { ALT: () => this.CONSUME(T.Ellipsis) },
      { ALT: () => this.CONSUME(T.Name) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
      { ALT: () => this.SUBRULE(this.listExpr) },
    ]));
    this.MANY1(() => this.SUBRULE(this.postfixOp));
  }

  postfixOp = this.RULE("postfixOp", () => {
    this.OR(this.cached("postfixOp", () => [
      { ALT: () => this.SUBRULE(this.callSuffix) },
      {
        ALT: () => {
          this.CONSUME(T.Dot);
          this.CONSUME(T.Name, { LABEL: "member" });
        },
      },
      { ALT: () => this.SUBRULE(this.indexSuffix) },
    ]));
  });

  callSuffix = this.RULE("callSuffix", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => this.commaList(this.arg, LIST));
    this.CONSUME(T.RParen);
  });

  /** A possibly named argument or tuple item: `name: value` or `value`. */
  arg = this.RULE("arg", () => {
    this.OPTION(() => {
      this.CONSUME(T.Name, { LABEL: "name" });
      this.CONSUME(T.Colon);
    });
    this.SUBRULE(this.expr, { LABEL: "value" });
  });

  indexSuffix = this.RULE("indexSuffix", () => {
    this.CONSUME(T.LBracket);
    this.commaList(this.indexItem, LIST);
    this.CONSUME(T.RBracket);
  });

  /** An index or a slice `start? : stop? (: step?)?`. */
  indexItem = this.RULE("indexItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.sliceTail) },
      {
        ALT: () => {
          this.SUBRULE(this.expr, { LABEL: "start" });
          this.OPTION(() => this.SUBRULE1(this.sliceTail));
        },
      },
    ]);
  });

  sliceTail = this.RULE("sliceTail", () => {
    this.CONSUME(T.Colon);
    this.OPTION(() => this.SUBRULE(this.expr, { LABEL: "stop" }));
    this.OPTION1(() => {
      this.CONSUME1(T.Colon);
      this.OPTION2(() => this.SUBRULE1(this.expr, { LABEL: "step" }));
    });
  });

  /** `(e)` (grouping), `()`, `(a,)`, `(a, b)` or `(cls: a, tokens: b)`. */
  parenExpr = this.RULE("parenExpr", () => {
    this.CONSUME(T.LParen);
    this.OPTION(() => this.commaList(this.arg, LIST));
    this.CONSUME(T.RParen);
  });

  listExpr = this.RULE("listExpr", () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => this.commaList(this.expr, LIST, "item"));
    this.CONSUME(T.RBracket);
  });
}
