// Elaboration memoizes instances: a block elaborated with the same bound arguments gives the
// same subtree at every place it is used (a stack of 12 identical layers, a tower shared by many
// models), so the first result is kept as a template and later ones are copies of it with
// their own paths. Only subtrees that elaborated without diagnostics are kept, and only when
// nothing in them depends on where they are (EMA sources, instance-valued names).
import type { BlockDecl, Span } from "../ast/ast.js";
import type { FileScope } from "../resolve/scope.js";
import type { BoundArgs } from "./args.js";
import type { Instance, ParamTensor } from "./instance.js";
import { LazyCopy } from "./lazy-copy.js";
import { foldedStack } from "./stack.js";
import type { BoundArg, Value } from "./values.js";

interface Template {
  readonly inst: Instance;
  /** Declaration names below the root, for the recursion check of a later copy. */
  readonly declNames: ReadonlySet<string>;
}

/** Templates by declaration, then by argument key. Declarations are AST objects of one
 *  loaded program, so a memo entry dies with its program. */
const templates = new WeakMap<BlockDecl, Map<string, Template>>();
const ids = new WeakMap<object, number>();
let nextId = 0;

function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
}

/** A key equal for equal bound arguments, or undefined when one cannot be summarised. */
export function bindingKey(scope: FileScope, bound: BoundArgs): string | undefined {
  let s = `${idOf(scope)}`;
  for (const [k, v] of bound.values) {
    const vk = valueKey(v);
    if (vk === undefined) return undefined;
    s += `;${k}${bound.explicit.has(k) ? "!" : "="}${vk}`;
  }
  return s;
}

function valueKey(v: Value): string | undefined {
  switch (v.k) {
    case "int": return `i${v.v.key}`;
    case "float": return `f${String(v.v)}`;
    case "bool": return v.v ? "T" : "F";
    case "string": return JSON.stringify(v.v);
    case "dtype": return `d${v.v}`;
    case "none": return "n";
    case "enum": return `e${idOf(v.decl)}.${v.member}`;
    case "enumType": return `E${idOf(v.decl)}`;
    case "list": return listKey(v.items);
    case "block": {
      let s = `b${idOf(v.decl)}@${idOf(v.scope)}(`;
      for (const [k, a] of v.bound as ReadonlyMap<string, BoundArg>) {
        const ak = valueKey(a.value);
        if (ak === undefined) return undefined;
        s += `${k}:${ak},`;
      }
      return `${s})`;
    }
    default: return undefined; // instances, tensors, functions: identity or place matters
  }
}

function listKey(items: readonly Value[]): string | undefined {
  let s = "[";
  for (const x of items) {
    const k = valueKey(x);
    if (k === undefined) return undefined;
    s += `${k},`;
  }
  return `${s}]`;
}

/** A copy of the template for `decl` and `key` at `path`, unless it would contain a block
 *  that is being elaborated (the recursion check must then see it). */
export function copyTemplate(
  decl: BlockDecl, key: string, stack: readonly string[], name: string, path: string, span: Span,
): Instance | undefined {
  const t = templates.get(decl)?.get(key);
  if (!t || stack.some((n) => t.declNames.has(n))) return undefined;
  return new InstanceCopy(t.inst, path, t.inst.path.length, path, name, span);
}

/** Another copy of `inst`'s template (or of `inst`, a template itself) at `path`: a layer of
 *  a folded stack (stack.ts). */
export function copyAt(inst: Instance, name: string, path: string, span: Span): Instance {
  const t = inst.template ?? inst;
  return new InstanceCopy(t, path, t.path.length, path, name, span);
}

/** Whether copies of `inst` may stand for new instances with its arguments: it is a kept
 *  template or a copy of one. */
export function isShared(inst: Instance): boolean {
  return inst.template !== undefined || templateKeys.has(inst);
}

/** A template node at another path: every path below it has the template root's path
 *  (`from` characters long) replaced by `base`. */
class InstanceCopy extends LazyCopy {
  readonly template: Instance;
  readonly #from: number;
  readonly #base: string;

  constructor(t: Instance, path: string, from: number, base: string, name: string, span: Span) {
    super(t, path, name, span);
    this.#from = from;
    this.#base = base;
    this.template = t.template ?? t;
  }

  protected copyParam(p: ParamTensor): ParamTensor {
    return { ...p, path: this.#base + p.path.slice(this.#from) };
  }

  protected copyChild(_name: string, c: Instance): Instance {
    return new InstanceCopy(c, this.#base + c.path.slice(this.#from), this.#from, this.#base, c.name, c.span);
  }
}

/** A template's declaration and argument key: two instances with the same one are copies of
 *  one subtree, which check/memo.ts uses as their structural key. */
const templateKeys = new WeakMap<Instance, string>();

export function templateKey(inst: Instance): string | undefined {
  return templateKeys.get(inst);
}

/** Keeps a freshly elaborated instance as the template for `decl` and `key`, if it can be shared. */
export function keepTemplate(decl: BlockDecl, key: string, inst: Instance): void {
  if (inst.path === "" || !subtree(inst).shareable) return;
  templateKeys.set(inst, `${idOf(decl)}|${key}`);
  const declNames = new Set<string>();
  for (const c of inst.children.values()) for (const n of subtree(c).names) declNames.add(n);
  let m = templates.get(decl);
  if (!m) templates.set(decl, (m = new Map()));
  m.set(key, { inst, declNames });
}

interface Subtree {
  /** No EMA copy and no name bound to an instance, tensor or function anywhere in it. */
  readonly shareable: boolean;
  /** Declaration names in it, the root's included. */
  readonly names: ReadonlySet<string>;
}

/** Facts about an instance's subtree, computed once per template (a copy shares them). */
const subtrees = new WeakMap<Instance, Subtree>();

function subtree(i: Instance): Subtree {
  const t = i.template ?? i;
  const hit = subtrees.get(t);
  if (hit) return hit;
  let shareable = t.ema === undefined && plainEnv(t);
  const names = new Set<string>([t.declName]);
  const f = foldedStack(t);
  for (const c of f ? [f.layer] : t.children.values()) { // a folded stack's layers are one template
    const s = subtree(c);
    if (!s.shareable) shareable = false;
    for (const n of s.names) names.add(n);
  }
  const out = { shareable, names };
  subtrees.set(t, out);
  return out;
}

function plainEnv(i: Instance): boolean {
  for (const v of i.env.values()) if (valueKey(v) === undefined) return false;
  return true;
}
