// What the parser reads the same way wherever it meets it: operator precedence, literals,
// list types in brackets, doc comments.
import type * as A from "../compiler/ast/ast.js";

/**
 * How a bracket type is read: `tensor` always as a shape (param and input items, outputs),
 * `builtin` as a list type only for `[Int]`-like brackets of builtin type names, `param`
 * (block parameters, which are never tensors) for any `[Name]`.
 */
export type BracketMode = "tensor" | "builtin" | "param";

/**
 * A number token, deliberately greedy (trailing letters, digits and `_` included) so that
 * `1__0`, `1_`, `1e` and `3x` are one bad number (MM1004) rather than a number followed by
 * a name; VALID_NUMBER then says whether it is well formed.
 */
export const NUMBER_PATTERN = /[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9_]*)?[A-Za-z0-9_]*/;
export const VALID_NUMBER = /^[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?$/;

/** A string token with its closing quote (an unclosed one is MM1002). */
export const CLOSED_STRING = /^"(?:[^"\\\n\r]|\\[^\n\r])*"$/;

/** Literals longer than this are reported by the lexer (MM1004, MM1001) rather than decoded:
 *  no program needs one, and the regular expressions below stay linear on hostile input. */
export const MAX_LITERAL = 4096;

/** The value of a string token: quotes removed, escapes decoded (unknown escapes keep the character). */
export function stringValue(image: string): string {
  if (image.length > MAX_LITERAL) return ""; // reported by the lexer (MM1001)
  const body = image.endsWith('"') && image.length >= 2 && CLOSED_STRING.test(image) ? image.slice(1, -1) : image.slice(1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c === "t" ? "\t" : c));
}

const BUILTIN_TYPES = new Set(["Int", "Float", "Bool", "String", "Block", "Tower", "Fusion", "Experts", "Loss", "Head"]);

/** Binding strength of the binary operators but `**` (which unary expressions handle). */
export const PRECEDENCE: Readonly<Record<string, number>> = {
  "||": 1, "&&": 2,
  "==": 3, "!=": 3, "<": 3, "<=": 3, ">": 3, ">=": 3,
  "+": 4, "-": 4,
  "*": 5, "/": 5, "//": 5, "%": 5, "@": 5,
};

/**
 * Folds `e0 op1 e1 op2 e2 ...` by precedence, every level left associative (an operator
 * stack, as in shunting-yard). `operands` pairs each expression with the span written for
 * it (parentheses included); a Binary spans from its left operand to its right.
 */
export function foldBinary(
  operands: readonly (readonly [A.Expr, A.Span])[], ops: readonly { readonly op: string; readonly span: A.Span }[],
): A.Expr {
  const values: (readonly [A.Expr, A.Span])[] = [operands[0]!];
  const pending: { readonly op: string; readonly span: A.Span }[] = [];
  const reduce = (): void => {
    const op = pending.pop()!;
    const [right, rs] = values.pop()!;
    const [left, ls] = values.pop()!;
    const span = { file: ls.file, start: Math.min(ls.start, rs.start), end: Math.max(ls.end, rs.end) };
    values.push([{ kind: "Binary", op: op.op as A.BinaryOp, left, right, span, opSpan: op.span }, span]);
  };
  for (let i = 0; i < ops.length; i++) {
    const p = PRECEDENCE[ops[i]!.op] ?? 0;
    while (pending.length > 0 && (PRECEDENCE[pending[pending.length - 1]!.op] ?? 0) >= p) reduce();
    pending.push(ops[i]!);
    values.push(operands[i + 1]!);
  }
  while (pending.length > 0) reduce();
  return values[0]![0];
}

/** Int or Float from a number token; `_` separators are dropped. Malformed text (already MM1004) reads as 0. */
export function numberLit(text: string, span: A.Span): A.IntLit | A.FloatLit {
  const clean = text.replace(/_/g, "");
  const value = Number(clean);
  const v = Number.isNaN(value) ? 0 : value;
  const isFloat = /[.eE]/.test(clean) && !/[^0-9.eE+-]/.test(clean);
  return isFloat ? { kind: "Float", value: v, text, span } : { kind: "Int", value: v, text, span };
}

/** A bracket type `[x]` read as a list type where it is one (`[Int]`, `[[Int]]`), else the shape. */
export function bracketType(t: A.TensorType, mode: BracketMode): A.TypeExpr {
  if (mode === "tensor" || t.dtype !== undefined || t.dims.length !== 1) return t;
  const element = elementType(t.dims[0]!, mode);
  return element === undefined ? t : { kind: "ListType", element, span: t.span };
}

function elementType(e: A.Expr, mode: BracketMode): A.TypeExpr | undefined {
  if (e.kind === "Name" && (mode === "param" || BUILTIN_TYPES.has(e.name))) {
    return { kind: "NamedType", name: { kind: "Ident", name: e.name, span: e.span }, span: e.span };
  }
  if (e.kind === "List" && e.items.length === 1) {
    const element = elementType(e.items[0]!, mode);
    return element === undefined ? undefined : { kind: "ListType", element, span: e.span };
  }
  return undefined;
}

/**
 * The doc string of a declaration starting at `start`: the `##` comment lines directly
 * above it, each alone on its line, without their `## ` prefix. `comments` holds the
 * file's comments as flat [start, end) offset pairs, in order.
 */
export function docBefore(text: string, comments: readonly number[], start: number): string | undefined {
  const lines: string[] = [];
  let end = start;
  // Binary search for the last comment starting before the declaration.
  let lo = 0;
  let hi = comments.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comments[2 * mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo - 1; i >= 0; i--) {
    const cs = comments[2 * i]!;
    const ce = comments[2 * i + 1]!;
    const gap = text.slice(ce, end);
    const lineStart = text.lastIndexOf("\n", cs - 1) + 1;
    const ownLine = /^[ \t\uFEFF]*$/.test(text.slice(lineStart, cs)); // a byte-order mark is no text
    if (!text.startsWith("##", cs) || !ownLine || !/^[ \t]*\r?\n[ \t]*$/.test(gap)) break;
    lines.unshift(text.slice(cs + 2, ce).replace(/^ /, "").replace(/\s+$/, ""));
    end = cs;
  }
  while (lines[0] === "") lines.shift();
  while (lines[lines.length - 1] === "") lines.pop();
  return lines.length > 0 ? lines.join("\n") : undefined;
}
