// The mm abstract syntax tree. Every node is readonly and carries a span; later
// stages never mutate the tree, they build new representations from it.

/** A half-open source range. Offsets are UTF-16 code-unit indices into the file text. */
export interface Span {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export interface Ident {
  readonly kind: "Ident";
  readonly name: string;
  readonly span: Span;
}

// ---------------------------------------------------------------- expressions

export type BinaryOp =
  | "+" | "-" | "*" | "/" | "//" | "%" | "**" | "@"
  | "==" | "!=" | "<" | "<=" | ">" | ">="
  | "&&" | "||";

export type UnaryOp = "-" | "!";

export interface IntLit { readonly kind: "Int"; readonly value: number; readonly text: string; readonly span: Span }
export interface FloatLit { readonly kind: "Float"; readonly value: number; readonly text: string; readonly span: Span }
export interface StringLit { readonly kind: "String"; readonly value: string; readonly span: Span }
export interface BoolLit { readonly kind: "Bool"; readonly value: boolean; readonly span: Span }
export interface NoneLit { readonly kind: "None"; readonly span: Span }
/** `...` inside a shape or an index list. */
export interface EllipsisExpr { readonly kind: "Ellipsis"; readonly span: Span }
export interface NameExpr { readonly kind: "Name"; readonly name: string; readonly span: Span }
export interface BinaryExpr {
  readonly kind: "Binary"; readonly op: BinaryOp;
  readonly left: Expr; readonly right: Expr; readonly span: Span;
  readonly opSpan: Span;
}
export interface UnaryExpr { readonly kind: "Unary"; readonly op: UnaryOp; readonly operand: Expr; readonly span: Span }
/** `if c then a else b` */
export interface IfExpr { readonly kind: "IfExpr"; readonly cond: Expr; readonly then: Expr; readonly else: Expr; readonly span: Span }
export interface Arg { readonly name?: Ident; readonly value: Expr; readonly span: Span }
export interface CallExpr { readonly kind: "Call"; readonly callee: Expr; readonly args: readonly Arg[]; readonly span: Span }
/** `a.b`; `x.T` is a member access too. */
export interface MemberExpr { readonly kind: "Member"; readonly object: Expr; readonly member: Ident; readonly span: Span }
export interface SliceExpr {
  readonly kind: "Slice"; readonly start?: Expr; readonly stop?: Expr; readonly step?: Expr; readonly span: Span;
}
export interface IndexExpr { readonly kind: "Index"; readonly object: Expr; readonly indices: readonly Expr[]; readonly span: Span }
/** `[a, b, c]`: a list of values, and also the written form of a shape. */
export interface ListExpr { readonly kind: "List"; readonly items: readonly Expr[]; readonly span: Span }
/** `(a, b)` or `(cls: a, tokens: b)`: positional or named tuple. */
export interface TupleExpr { readonly kind: "Tuple"; readonly items: readonly Arg[]; readonly span: Span }

export type Expr =
  | IntLit | FloatLit | StringLit | BoolLit | NoneLit | EllipsisExpr | NameExpr
  | BinaryExpr | UnaryExpr | IfExpr | CallExpr | MemberExpr | IndexExpr | SliceExpr
  | ListExpr | TupleExpr;

// ---------------------------------------------------------------- types

/** A tensor type: a shape written as a list of dim expressions, and an optional dtype name. */
export interface TensorType {
  readonly kind: "TensorType";
  readonly dims: readonly Expr[];
  readonly dtype?: Ident;
  readonly span: Span;
}
/** `Int`, `Float`, `Bool`, `String`, `Block`, `Tower`, an enum name, ... */
export interface NamedType { readonly kind: "NamedType"; readonly name: Ident; readonly span: Span }
/** `[Int]`: a list of compile-time values. */
export interface ListType { readonly kind: "ListType"; readonly element: TypeExpr; readonly span: Span }
export type TypeExpr = TensorType | NamedType | ListType;

// ---------------------------------------------------------------- declarations

export interface ParamDecl {
  readonly kind: "ParamDecl";
  readonly name: Ident;
  readonly type: TypeExpr;
  readonly default?: Expr;
  readonly span: Span;
}

export type BlockKind = "block" | "tower" | "fusion" | "experts" | "loss" | "head";

/** `let n = (image / patch) ** 2` at block level: a compile-time value. */
export interface LetItem { readonly kind: "Let"; readonly name: Ident; readonly type?: TypeExpr; readonly value: Expr; readonly span: Span }
/** `param weight: [out, in] float32 init normal(std: 0.02) if cond`, or `buffer running_mean:
 *  [C] init zeros`: state that is saved and loaded with the weights but never trained. */
export interface TensorParamItem {
  readonly kind: "TensorParam";
  /** `buffer`: not a parameter (not counted, never trained), as PyTorch's register_buffer. */
  readonly buffer?: true;
  readonly name: Ident;
  readonly type: TensorType;
  readonly init?: Expr;
  readonly condition?: Expr;
  readonly span: Span;
}
/** `name = Callee(args)`, `name = repeat n as i Callee(args)`, `name = ema(path, momentum: 0.995)` */
export interface SubmoduleItem {
  readonly kind: "Submodule";
  readonly name: Ident;
  readonly call: CallExpr;
  readonly repeat?: { readonly count: Expr; readonly index?: Ident; readonly span: Span };
  readonly condition?: Expr;
  readonly span: Span;
}
export interface ForwardInput { readonly name: Ident; readonly type: TypeExpr; readonly default?: Expr; readonly span: Span }
export interface ForwardOutput { readonly name?: Ident; readonly type: TypeExpr; readonly span: Span }
export interface ForwardItem {
  readonly kind: "Forward";
  readonly inputs: readonly ForwardInput[];
  /** Empty for a model's forward, whose inputs are `input` items and whose outputs are `output` statements. */
  readonly outputs: readonly ForwardOutput[];
  /** True when written `-> (a: T, b: U)` (named outputs), false for `-> T`. */
  readonly namedOutputs: boolean;
  readonly hasSignature: boolean;
  readonly body: readonly Stmt[];
  readonly span: Span;
}
/** `route by modality` or `route topk(k, gate: router)` inside an `experts` block. */
export interface RouteItem {
  readonly kind: "Route";
  readonly strategy: Ident; // "modality" | "topk"
  readonly args: readonly Arg[];
  readonly span: Span;
}
/** Model-level: `input pixels: [B, 3, 224, 224] float32` */
export interface InputItem { readonly kind: "Input"; readonly name: Ident; readonly type: TensorType; readonly span: Span }
/** `task itc { outputs: a, b  losses: itc  inputs: pixels }` */
export interface TaskItem {
  readonly kind: "Task";
  readonly name: Ident;
  readonly fields: readonly ListField[];
  readonly span: Span;
}
/** `stage pretrain { train: qformer, proj  freeze: image, llm  tasks: itc, itm }` */
export interface StageItem {
  readonly kind: "Stage";
  readonly name: Ident;
  readonly fields: readonly ListField[];
  readonly span: Span;
}
/** `layout openai { "vision_model.**": "visual.**" ... }`: how a model's or block's parameter
 *  paths map to a checkpoint layout (compiler/tools/weights/layout.ts applies it). A model's
 *  `default layout name` (rules optional) is the one its checkpoints load with by default;
 *  `with a, b` adds its components' layouts of those names. */
export interface LayoutItem {
  readonly kind: "Layout";
  readonly default?: true;
  readonly name: Ident;
  /** `layout official with hf_blip { ... }`: the components' layouts it includes. */
  readonly with: readonly Ident[];
  readonly rules: readonly LayoutRule[];
  readonly span: Span;
}
/** `"model.path.*": "checkpoint.key.*"`, or `split("key", axis: 0)`, `transpose("key")`. */
export interface LayoutRule { readonly model: StringLit; readonly checkpoint: Expr; readonly span: Span }
/** One `key: a, b, c` line of a task or stage; values are path patterns. */
export interface ListField { readonly key: Ident; readonly values: readonly PathPattern[]; readonly span: Span }
/** `image.layers.*.attn`, `**`, `llm` */
export interface PathPattern { readonly segments: readonly string[]; readonly span: Span }

export type BodyItem =
  | LetItem | TensorParamItem | SubmoduleItem | ForwardItem | RouteItem
  | InputItem | TaskItem | StageItem | LayoutItem;

export interface BlockDecl {
  readonly kind: "Block";
  readonly blockKind: BlockKind | "model";
  readonly name: Ident;
  readonly params: readonly ParamDecl[];
  readonly where: readonly Expr[];
  readonly items: readonly BodyItem[];
  readonly doc?: string;
  readonly span: Span;
}

/** One line of a variant's `with { ... }`: `image = Encoder(patch: 14)` or `text.width = 768`. */
export interface Override { readonly path: readonly Ident[]; readonly value: Expr; readonly span: Span }

/** `model Large = Base(embed: 768) with { ... }` */
export interface VariantDecl {
  readonly kind: "Variant";
  /** `model X = unpublished "X-1"`: the name as the literature writes it. */
  readonly displayName?: StringLit;
  readonly name: Ident;
  readonly base: Ident;
  readonly args: readonly Arg[];
  readonly overrides: readonly Override[];
  readonly doc?: string;
  readonly span: Span;
}

export interface EnumDecl { readonly kind: "Enum"; readonly name: Ident; readonly members: readonly Ident[]; readonly span: Span }

/** `import "std/nn/linear.mm"` or `import { Linear, MLP } from "./layers.mm"` */
export interface ImportDecl {
  readonly kind: "Import";
  readonly path: StringLit;
  readonly names?: readonly Ident[];
  readonly span: Span;
}

export type Decl = BlockDecl | VariantDecl | EnumDecl;

export interface FileAst {
  readonly kind: "File";
  readonly path: string;
  readonly imports: readonly ImportDecl[];
  readonly decls: readonly Decl[];
  readonly span: Span;
}

// ---------------------------------------------------------------- statements (forward bodies)

export interface LetStmt { readonly kind: "LetStmt"; readonly names: readonly Ident[]; readonly destructure: boolean; readonly type?: TypeExpr; readonly value: Expr; readonly span: Span }
export interface AssignStmt { readonly kind: "Assign"; readonly name: Ident; readonly value: Expr; readonly span: Span }
export interface ReturnStmt { readonly kind: "Return"; readonly value: Expr; readonly span: Span }
/** Model forward only: `output logits: [B, n] = expr` */
export interface OutputStmt { readonly kind: "Output"; readonly name: Ident; readonly type?: TensorType; readonly value: Expr; readonly span: Span }
/** Model forward only: `loss itc = expr` (must be a scalar) */
export interface LossStmt { readonly kind: "Loss"; readonly name: Ident; readonly value: Expr; readonly span: Span }
/** `for layer, i in layers { ... }` or `for i in range(n) { ... }` */
export interface ForStmt { readonly kind: "For"; readonly item: Ident; readonly index?: Ident; readonly iterable: Expr; readonly body: readonly Stmt[]; readonly span: Span }
/** A compile-time `if`; the branch not taken is not traced. */
export interface IfStmt { readonly kind: "If"; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else?: readonly Stmt[]; readonly span: Span }
export interface ExprStmt { readonly kind: "ExprStmt"; readonly expr: Expr; readonly span: Span }

export type Stmt = LetStmt | AssignStmt | ReturnStmt | OutputStmt | LossStmt | ForStmt | IfStmt | ExprStmt;
