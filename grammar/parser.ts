// The mm grammar: an action-free chevrotain CstParser (expressions and types live in
// parser-expr.ts). ast-builder.ts turns its CST into the AST. Items and statements are
// rules of their own so that recovery re-syncs at the next item or statement, and
// declarations so that it re-syncs at the next declaration keyword.
import type { CstNode, IToken } from "chevrotain";
import * as T from "./tokens.js";
import { ExprParser, LIST } from "./parser-expr.js";

export class MmParser extends ExprParser {
  constructor(validate = false) {
    super(validate);
    this.performSelfAnalysis();
  }

  /** Gate for keyword-led items: `input = X()` names a submodule `input`, it is no input item. */
  private notAssign(): boolean {
    return this.LA(2).tokenType !== T.Eq;
  }

  // ------------------------------------------------------------ top level

  file = this.RULE("file", () => {
    this.MANY(() => this.OR(this.cached("file", () => [{ ALT: () => this.SUBRULE(this.topDecl) }, { ALT: () => this.CONSUME(T.Semi) }])));
  });

  topDecl = this.RULE("topDecl", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.enumDecl) },
      { ALT: () => this.SUBRULE(this.variantDecl) },
      { ALT: () => this.SUBRULE(this.blockDecl) },
    ]);
  });

  importDecl = this.RULE("importDecl", () => {
    this.CONSUME(T.Import);
    this.OPTION(() => {
      this.CONSUME(T.LBrace);
      this.SUBRULE(this.nameList);
      this.CONSUME(T.RBrace);
      this.CONSUME(T.From);
    });
    this.CONSUME(T.StringLit);
  });

  /** `a, b, c` with an optional trailing comma. */
  nameList = this.RULE("nameList", () => {
    this.CONSUME(T.Name);
    this.MANY(() => { this.CONSUME(T.Comma); this.CONSUME1(T.Name); });
    this.OPTION(() => this.CONSUME1(T.Comma));
  });

  enumDecl = this.RULE("enumDecl", () => {
    this.CONSUME(T.Enum);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.LBrace);
    this.OPTION(() => this.SUBRULE(this.nameList));
    this.CONSUME(T.RBrace);
  });

  blockDecl = this.RULE("blockDecl", () => {
    this.OR(T.BLOCK_KIND_TOKENS.map((tok) => ({ ALT: () => this.CONSUME(tok, { LABEL: "kind" }) })));
    this.CONSUME(T.Name, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION1(() => this.commaList(this.typedName, LIST, "param"));
      this.CONSUME(T.RParen);
    });
    this.OPTION2(() => {
      this.CONSUME(T.Where);
      this.SUBRULE(this.expr, { LABEL: "where" });
      this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE1(this.expr, { LABEL: "where" }); });
    });
    this.SUBRULE(this.body);
  });

  /** `name: Type = default`: block parameters and forward inputs. */
  typedName = this.RULE("typedName", () => {
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
    this.OPTION(() => { this.CONSUME(T.Eq); this.SUBRULE(this.expr, { LABEL: "default" }); });
  });

  variantDecl = this.RULE("variantDecl", () => {
    this.CONSUME(T.Model);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Eq);
    this.CONSUME1(T.Name, { LABEL: "base" });
    this.OPTION2(() => this.CONSUME(T.StringLit, { LABEL: "display" }));
    this.OPTION(() => this.SUBRULE(this.callSuffix));
    this.OPTION1(() => {
      this.CONSUME(T.With);
      this.CONSUME(T.LBrace);
      this.MANY(() => this.OR([{ ALT: () => this.SUBRULE(this.override) }, { ALT: () => this.CONSUME(T.Semi) }]));
      this.CONSUME(T.RBrace);
    });
  });

  override = this.RULE("override", () => {
    this.CONSUME(T.Name, { LABEL: "path" });
    this.MANY(() => { this.CONSUME(T.Dot); this.CONSUME1(T.Name, { LABEL: "path" }); });
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expr);
  });

  // ------------------------------------------------------------ body items

  body = this.RULE("body", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.cached("body", () => [{ ALT: () => this.SUBRULE(this.bodyItem) }, { ALT: () => this.CONSUME(T.Semi) }])));
    this.CONSUME(T.RBrace);
  });

  bodyItem = this.RULE("bodyItem", () => {
    // Order decides: keyword-led items first; a contextual keyword followed by `=` is a submodule's name.
    this.OR(this.cached("bodyItem", () => ({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.letItem) },
        { GATE: () => this.notAssign(), ALT: () => this.SUBRULE(this.paramItem) },
        { ALT: () => this.SUBRULE(this.forwardItem) },
        { GATE: () => this.notAssign(), ALT: () => this.SUBRULE(this.routeItem) },
        { GATE: () => this.notAssign(), ALT: () => this.SUBRULE(this.inputItem) },
        { GATE: () => this.notAssign(), ALT: () => this.SUBRULE(this.fieldsItem) },
        { ALT: () => this.SUBRULE(this.submoduleItem) },
      ],
    })));
  });

  letItem = this.RULE("letItem", () => {
    this.CONSUME(T.Let);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.OPTION(() => { this.CONSUME(T.Colon); this.SUBRULE(this.type); });
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expr, { LABEL: "value" });
  });

  paramItem = this.RULE("paramItem", () => {
    this.OR2([{ ALT: () => this.CONSUME(T.Param) }, { ALT: () => this.CONSUME(T.Buffer, { LABEL: "buffer" }) }]);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.tensorType, { ARGS: [true] });
    this.OPTION(() => { this.CONSUME(T.Init); this.SUBRULE(this.expr, { LABEL: "init" }); });
    this.OPTION1(() => { this.CONSUME(T.If); this.SUBRULE1(this.expr, { LABEL: "condition" }); });
  });

  submoduleItem = this.RULE("submoduleItem", () => {
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Eq);
    this.OPTION(() => {
      this.CONSUME(T.Repeat);
      this.SUBRULE(this.expr, { LABEL: "count" });
      this.OPTION1(() => {
        this.CONSUME(T.As);
        this.CONSUME1(T.Name, { LABEL: "index" });
      });
    });
    this.SUBRULE(this.postfixExpr, { LABEL: "call" });
    this.OPTION2(() => { this.CONSUME(T.If); this.SUBRULE1(this.expr, { LABEL: "condition" }); });
  });

  forwardItem = this.RULE("forwardItem", () => {
    this.CONSUME(T.Forward);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.OPTION1(() => this.commaList(this.typedName, LIST, "input"));
      this.CONSUME(T.RParen);
      // `->` and the output type are required; the builder reports their absence, which
      // reads better than what recovery makes of it.
      this.OPTION2(() => {
        this.OPTION3(() => this.CONSUME(T.Arrow));
        this.OR([
          {
            ALT: () => {
              this.CONSUME1(T.LParen, { LABEL: "namedOpen" });
              this.commaList(this.namedOutput, LIST + 2);
              this.CONSUME1(T.RParen);
            },
          },
          { ALT: () => this.SUBRULE(this.type, { LABEL: "output" }) },
        ]);
      });
    });
    this.SUBRULE(this.stmtBlock);
  });

  namedOutput = this.RULE("namedOutput", () => {
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.type);
  });

  routeItem = this.RULE("routeItem", () => {
    this.CONSUME(T.Route);
    this.OR([
      { ALT: () => { this.CONSUME(T.By); this.CONSUME(T.Name, { LABEL: "strategy" }); } },
      { ALT: () => { this.CONSUME1(T.Name, { LABEL: "strategy" }); this.SUBRULE(this.callSuffix); } },
    ]);
  });

  inputItem = this.RULE("inputItem", () => {
    this.CONSUME(T.Input);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.tensorType, { ARGS: [true] });
  });

  /** `task name { key: a, b ... }` or `stage name { ... }`. */
  fieldsItem = this.RULE("fieldsItem", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Task, { LABEL: "kind" }) }, { ALT: () => this.CONSUME(T.Stage, { LABEL: "kind" }) }]);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR1([{ ALT: () => this.SUBRULE(this.listField) }, { ALT: () => this.CONSUME(T.Semi) }]));
    this.CONSUME(T.RBrace);
  });

  listField = this.RULE("listField", () => {
    this.CONSUME(T.Name, { LABEL: "key" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.pathPattern);
    this.MANY(() => { this.CONSUME(T.Comma); this.SUBRULE1(this.pathPattern); });
  });

  pathPattern = this.RULE("pathPattern", () => {
    this.SUBRULE(this.patternSegment);
    this.MANY(() => { this.CONSUME(T.Dot); this.SUBRULE1(this.patternSegment); });
  });

  patternSegment = this.RULE("patternSegment", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Name) },
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.StarStar) },
      { ALT: () => this.CONSUME(T.Star) },
    ]);
  });

  // ------------------------------------------------------------ statements

  stmtBlock = this.RULE("stmtBlock", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.cached("stmtBlock", () => [{ ALT: () => this.SUBRULE(this.stmt) }, { ALT: () => this.CONSUME(T.Semi) }])));
    this.CONSUME(T.RBrace);
  });

  stmt = this.RULE("stmt", () => {
    // Order decides: a leading `if` is always a statement, `loss x = e` a loss, `loss = e` an assignment.
    this.OR(this.cached("stmt", () => ({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.letStmt) },
        { ALT: () => this.SUBRULE(this.returnStmt) },
        { ALT: () => this.SUBRULE(this.forStmt) },
        { ALT: () => this.SUBRULE(this.ifStmt) },
        { GATE: () => this.notAssign(), ALT: () => this.SUBRULE(this.outputStmt) },
        { GATE: () => this.notAssign(), ALT: () => this.SUBRULE(this.lossStmt) },
        { ALT: () => this.SUBRULE(this.assignStmt) },
        { ALT: () => this.SUBRULE(this.expr, { LABEL: "exprStmt" }) },
      ],
    })));
  });

  letStmt = this.RULE("letStmt", () => {
    this.CONSUME(T.Let);
    this.OR([
      { ALT: () => { this.CONSUME(T.LParen); this.SUBRULE(this.nameList); this.CONSUME(T.RParen); } },
      {
        ALT: () => {
          this.CONSUME(T.Name, { LABEL: "name" });
          this.OPTION(() => { this.CONSUME(T.Colon); this.SUBRULE(this.type); });
        },
      },
    ]);
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expr, { LABEL: "value" });
  });

  returnStmt = this.RULE("returnStmt", () => {
    this.CONSUME(T.Return);
    this.SUBRULE(this.expr, { LABEL: "value" });
  });

  outputStmt = this.RULE("outputStmt", () => {
    this.CONSUME(T.Output);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.OPTION(() => { this.CONSUME(T.Colon); this.SUBRULE(this.tensorType); });
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expr, { LABEL: "value" });
  });

  lossStmt = this.RULE("lossStmt", () => {
    this.CONSUME(T.Loss);
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expr, { LABEL: "value" });
  });

  assignStmt = this.RULE("assignStmt", () => {
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Eq);
    this.SUBRULE(this.expr, { LABEL: "value" });
  });

  forStmt = this.RULE("forStmt", () => {
    this.CONSUME(T.For);
    this.CONSUME(T.Name, { LABEL: "item" });
    this.OPTION(() => {
      this.CONSUME(T.Comma);
      this.CONSUME1(T.Name, { LABEL: "index" });
    });
    this.CONSUME(T.In);
    this.SUBRULE(this.expr, { LABEL: "iterable" });
    this.SUBRULE(this.stmtBlock);
  });

  ifStmt = this.RULE("ifStmt", () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expr, { LABEL: "cond" });
    this.SUBRULE(this.stmtBlock, { LABEL: "then" });
    this.OPTION(() => {
      this.CONSUME(T.Else);
      this.OR([
        { ALT: () => this.SUBRULE1(this.stmtBlock, { LABEL: "else" }) },
        { ALT: () => this.SUBRULE(this.ifStmt, { LABEL: "elseIf" }) },
      ]);
    });
  });
}

/** One parser for the process, made when first needed (a file the fast path in grammar/fast/
 *  gives up on): self-analysis is costly and parsing is synchronous. The grammar's
 *  validations run in test/grammar/validate.test.ts, not at every start. */
let parser: MmParser | undefined;

export interface ParseResult {
  readonly cst: CstNode;
  readonly errors: readonly { readonly message: string; readonly token: IToken }[];
}

export function parseTokens(tokens: IToken[]): ParseResult {
  parser ??= new MmParser();
  parser.input = tokens;
  const cst = parser.file();
  return { cst, errors: parser.errors.map((e) => ({ message: e.message, token: e.token })) };
}
