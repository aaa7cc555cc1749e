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

/** The first node (in walk order) deeper than MAX_TREE_DEPTH below `root`, if any. Runs
 *  on every declaration parsed, so it allocates nothing per node: two parallel stacks, and
 *  `for...in` over a node's own fields (AST nodes are plain object literals). */
export function tooDeep(root: A.Decl): A.Span | undefined {
  const nodes: object[] = [root];
  const depths: number[] = [1];
  while (nodes.length) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (Array.isArray(node)) {
      for (const x of node) if (typeof x === "object" && x !== null) { nodes.push(x as object); depths.push(depth); }
      continue;
    }
    const o = node as Record<string, unknown>;
    const isNode = typeof o.kind === "string";
    const here = isNode ? depth + 1 : depth;
    if (here > MAX_TREE_DEPTH && isNode) return o.span as A.Span;
    for (const k in o) {
      if (k === "span" || k === "opSpan") continue;
      const v = o[k];
      if (typeof v === "object" && v !== null) { nodes.push(v); depths.push(here); }
    }
  }
  return undefined;
}
