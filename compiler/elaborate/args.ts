// Binds call arguments to a block's parameters: positional, named, partially applied,
// overridden by a variant; then defaults, then types.
import type { BlockDecl, Span } from "../ast/ast.js";
import { fail } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import type { FileScope } from "../resolve/scope.js";
import { Scope } from "./env.js";
import { evalExpr, type EvArg } from "./eval.js";
import { fileEnv } from "./globals.js";
import { checkType } from "./types.js";
import type { BoundArg, Value } from "./values.js";

export interface BoundArgs {
  readonly values: Map<string, Value>;
  /** Parameters given at the call site (or bound earlier), as opposed to defaulted. */
  readonly explicit: Set<string>;
  /** The env of the parameters, for evaluating the body. */
  readonly env: Scope;
  /** Parameters a variant's override set, with where: a broken constraint is its mistake. */
  readonly overridden?: ReadonlyMap<string, Span>;
}

/** No arguments bound or overridden (shared: most instantiations have none). */
export const NO_OVERRIDES: ReadonlyMap<string, BoundArg> = new Map();

/** A variant's `path.arg = value` must name an argument of the block there: a typo would
 *  change nothing and the user would believe it did. */
export function checkOverrideNames(decl: BlockDecl, path: string, overrides: ReadonlyMap<string, BoundArg>): void {
  for (const [k, v] of overrides) {
    if (decl.params.some((p) => p.name.name === k)) continue;
    const names = decl.params.map((p) => p.name.name);
    fail("MM3012", v.span, { path: path ? `${path}.${k}` : k, reason: `${decl.name.name} has no parameter '${k}'` },
      { hint: didYouMean(k, names) ?? `its parameters: ${names.join(", ") || "none"}` });
  }
}

export function bindBlockArgs(
  decl: BlockDecl, home: FileScope, bound: ReadonlyMap<string, BoundArg>, args: readonly EvArg[],
  callSpan: Span, overrides: ReadonlyMap<string, BoundArg> = NO_OVERRIDES,
): BoundArgs {
  const callee = decl.name.name;
  // Most blocks are instantiated with nothing bound beforehand: no copy, no filter then.
  // An argument is its own BoundArg (it has the value and span), so none is copied either.
  const given = bound.size === 0 ? new Map<string, BoundArg>() : new Map<string, BoundArg>(bound);
  const free = bound.size === 0 ? decl.params : decl.params.filter((p) => !bound.has(p.name.name));
  let pos = 0;
  for (const a of args) {
    if (a.name === undefined) {
      const p = free[pos++];
      if (!p) fail("MM3004", a.span, { callee, max: free.length, given: args.filter((x) => x.name === undefined).length });
      given.set(p.name.name, a);
    }
  }
  for (const a of args) {
    if (a.name === undefined) continue;
    const nameSpan = a.nameSpan ?? a.span;
    if (!decl.params.some((p) => p.name.name === a.name)) {
      const h = didYouMean(a.name, decl.params.map((p) => p.name.name));
      fail("MM3003", nameSpan, { callee, name: a.name }, h ? { hint: h } : {});
    }
    if (given.has(a.name)) fail("MM3011", nameSpan, { name: a.name });
    given.set(a.name, a);
  }
  const overridden = overrides.size > 0 ? new Map<string, Span>() : undefined;
  if (overridden) {
    for (const [k, v] of overrides) {
      given.set(k, v);
      overridden.set(k, v.span);
    }
  }

  const env = new Scope(fileEnv(home));
  const values = new Map<string, Value>();
  const explicit = new Set<string>();
  for (const p of decl.params) {
    const name = p.name.name;
    const g = given.get(name);
    let v: Value;
    let span: Span;
    if (g) {
      v = g.value;
      span = g.span;
      explicit.add(name);
    } else if (p.default) {
      v = evalExpr(p.default, { env });
      span = p.default.span;
    } else {
      fail("MM3002", callSpan, { name, callee }, { hint: `pass ${name}: <${typeText(p.type)}>`, related: [{ span: p.span, message: "declared here" }] });
    }
    v = checkType(p.type, v, env, name, span);
    values.set(name, v);
    env.define(name, v);
  }
  return { values, explicit, env, ...(overridden ? { overridden } : {}) };
}

function typeText(t: BlockDecl["params"][number]["type"]): string {
  return t.kind === "NamedType" ? t.name.name : t.kind === "ListType" ? "list" : "tensor";
}
