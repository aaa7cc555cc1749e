// How deep a parsed declaration's tree is. The parser recurses only to MAX_NESTING, but it
// builds operator chains in loops: `x.T.T.T...`, a 10,000-term sum or 10,000 unary minuses
// are shallow to parse and as deep as they are long as trees, and every later stage (the
// resolver, the elaborator, the checker, the printers) walks trees recursively. A tree
// deeper than MAX_TREE_DEPTH is reported here (MM1006) and its declaration dropped, so no
// later stage's stack depth grows with the input. The walk itself is iterative.
import type * as A from "../../compiler/ast/ast.js";

/** Levels of AST nodes (those with a `kind`) below a declaration. The stdlib's deepest
 *  declaration has 17; 1,600 still checks and compiles inside 100 nested blocks. */
export const MAX_TREE_DEPTH = 1000;

/** The first node (in walk order) deeper than MAX_TREE_DEPTH below `root`, if any. */
export function tooDeep(root: A.Decl): A.Span | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (const x of node) stack.push([x, depth]);
      continue;
    }
    const o = node as Record<string, unknown>;
    const here = typeof o.kind === "string" ? depth + 1 : depth;
    if (here > MAX_TREE_DEPTH && typeof o.kind === "string") return o.span as A.Span;
    for (const [k, v] of Object.entries(o)) {
      if (k !== "span" && k !== "opSpan" && typeof v === "object" && v !== null) stack.push([v, here]);
    }
  }
  return undefined;
}
