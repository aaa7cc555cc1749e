// Argument changes between two aligned instances of the same declaration. A change is
// reported once, where it was made: at the model's own arguments, or where an argument is
// written as a constant at its instantiation site (a variant's override replaces such a
// constant). Arguments computed from the parent's (`width: width`, a stack's layers) follow
// from a change reported higher up and are not repeated.
import type { Expr, SubmoduleItem } from "../../ast/ast.js";
import type { Instance } from "../../elaborate/instance.js";
import { formatValue } from "../../elaborate/values.js";

export interface ArgChange {
  /** The instance's path ('' for the model). */
  readonly path: string;
  readonly arg: string;
  readonly a: string;
  readonly b: string;
}

function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case "Int": case "Float": case "String": case "Bool": case "None": return true;
    case "Unary": return isConstant(e.operand);
    case "List": return e.items.every(isConstant);
    // `Act.gelu`: an enum member.
    case "Member": return e.object.kind === "Name" && /^[A-Z]/.test(e.object.name);
    default: return false;
  }
}

function submoduleItem(parent: Instance | undefined, name: string): SubmoduleItem | undefined {
  for (const it of parent?.decl?.items ?? []) if (it.kind === "Submodule" && it.name.name === name) return it;
  return undefined;
}

/** The expression an argument is given by where the instance is created, if written. */
function argExpr(inst: Instance, parent: Instance | undefined, grand: Instance | undefined, arg: string): Expr | undefined | "unknown" {
  let item: SubmoduleItem | undefined;
  if (parent?.kind === "stack") item = submoduleItem(grand, parent.name);
  else item = submoduleItem(parent, inst.name);
  if (!item) return "unknown";
  if (inst.kind === "stack") return arg === "count" && item.repeat ? item.repeat.count : "unknown";
  const named = item.call.args.find((x) => x.name?.name === arg);
  if (named) return named.value;
  const idx = inst.decl?.params.findIndex((p) => p.name.name === arg) ?? -1;
  const positional = item.call.args.filter((x) => !x.name);
  return idx >= 0 && idx < positional.length ? positional[idx]!.value : undefined;
}

/** Whether a change of `arg` at `inst` is where the change was made. */
function isOrigin(inst: Instance, parent: Instance | undefined, grand: Instance | undefined, arg: string): boolean {
  if (!parent) return true;
  if (!inst.explicitArgs.has(arg)) return false;
  const e = argExpr(inst, parent, grand, arg);
  if (e === "unknown") return parent.kind !== "stack";
  return e === undefined || isConstant(e);
}

/** Every argument that differs between two instances of the same declaration. */
export function argDiffs(a: Instance, b: Instance): { arg: string; a: string; b: string }[] {
  const out: { arg: string; a: string; b: string }[] = [];
  for (const [k, va] of a.args) {
    const vb = b.args.get(k);
    if (!vb) continue;
    const fa = formatValue(va);
    const fb = formatValue(vb);
    if (fa !== fb) out.push({ arg: k, a: fa, b: fb });
  }
  return out;
}

/** The argument changes of a pair of instances that are reported there. */
export function originChanges(
  a: Instance, b: Instance,
  parents: { a?: Instance; b?: Instance; grandA?: Instance; grandB?: Instance },
): ArgChange[] {
  return argDiffs(a, b)
    .filter((d) => isOrigin(b, parents.b, parents.grandB, d.arg) || isOrigin(a, parents.a, parents.grandA, d.arg))
    .map((d) => ({ path: b.path, ...d }));
}
