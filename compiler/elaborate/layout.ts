// A model's `layout` items as plain rules (ElaboratedModel.layouts), checked here: each rule
// is `"model.pattern": "checkpoint.pattern"`, or `split("key")` (a packed tensor: the model
// pattern names its parts `{q,k,v}`), `stack("key.*")` (a tensor stored as numbered rows) or
// `transpose("key")`; both sides have the same wildcards (`*` a segment or part of one, `**`
// several segments) in the same order, and stack one more, last.
//
// Blocks declare layouts too (a tower's names in the checkpoints its family releases). A
// model's layout NAME is its own NAME rules, then those of every component whose block
// declares NAME, outer before inner, each prefixed by the component's path on both sides; the
// first rule that matches a path wins, so an enclosing declaration overrides what it contains.
import type { BlockDecl, LayoutItem, LayoutRule } from "../ast/ast.js";
import { DiagnosticError, fail } from "../diagnostics/diagnostic.js";
import { foldedStack } from "./stack.js";
import type { Instance, LayoutInfo } from "./instance.js";

type Rule = LayoutInfo["rules"][number];

/** The wildcards in order (`**`, `*`), as compiler/tools/weights/layout.ts reads them. */
const wild = (p: string): string => [...p.matchAll(/\{[^}]*\}|\*\*|\*|[^{*]+/g)].map((m) => m[0]).filter((t) => t === "*" || t === "**").join(" ");

function rule(r: LayoutRule): Rule {
  const bad = (detail: string): never => fail("MM5010", r.span, { detail }, { hint: 'write "model.path.*": "checkpoint.key.*", split("key") for a packed {q,k,v} tensor, stack("key.*") for numbered rows, or transpose("key")' });
  const model = r.model.value;
  const c = r.checkpoint;
  let checkpoint: string;
  let op: Rule["op"] = "rename";
  if (c.kind === "String") {
    checkpoint = c.value;
  } else if (c.kind === "Call" && c.callee.kind === "Name" && (c.callee.name === "split" || c.callee.name === "transpose" || c.callee.name === "stack")
    && c.args.length === 1 && c.args[0]!.name === undefined && c.args[0]!.value.kind === "String") {
    op = c.callee.name;
    checkpoint = c.args[0]!.value.value;
  } else {
    return bad("a rule maps a model path to a quoted checkpoint key, split(\"key\"), stack(\"key.*\") or transpose(\"key\")");
  }
  const braces = (model.match(/\{[^}]*\}/g) ?? []).length;
  if (op === "split" && braces !== 1) bad(`split needs the parts of the packed tensor in the model path, once: "…{q,k,v}_proj.weight"`);
  if (op !== "split" && braces > 0) bad("a `{...}` list of parts goes with split(\"key\")");
  if (/[{}]/.test(checkpoint)) bad("the checkpoint key of a rule has no `{...}` parts: the model path names them");
  const want = op === "stack" ? `${wild(model)} *`.trim() : wild(model);
  if (want !== wild(checkpoint)) {
    bad(op === "stack" ? "stack(\"key.*\") numbers the checkpoint's tensors with one `*` more than the model path has, last"
      : `both sides need the same wildcards in the same order ('${wild(model) || "none"}' and '${wild(checkpoint) || "none"}')`);
  }
  return { model, checkpoint, op };
}

/** The name `--layout` gives mm's own paths; no declaration may take it. */
export const OWN_LAYOUT = "mm";

/** A model's layouts: its own items (checked by `guard`), completed with its components'
 *  layouts of the same names (a name only components declare becomes a layout too) and of
 *  the names its `with` lists, and the name of its default. Rules come outer before inner. */
export function modelLayouts(own: readonly LayoutItem[], root: Instance, place: string, guard: (f: () => void) => void)
  : { layouts: LayoutInfo[]; defaultLayout?: string } {
  const mine = new Map<string, { item: LayoutItem; rules: Rule[] }>();
  let defaultLayout: LayoutItem | undefined;
  for (const item of own) {
    guard(() => {
      if (item.name.name === OWN_LAYOUT) reserved(item);
      if (mine.has(item.name.name)) fail("MM2002", item.name.span, { name: item.name.name, place });
      mine.set(item.name.name, { item, rules: item.rules.map(rule) });
      if (item.default) {
        if (defaultLayout !== undefined) fail("MM5010", item.span, { detail: `a model has one default layout; '${defaultLayout.name.name}' is already` });
        defaultLayout = item;
      }
    });
  }
  // The root is the model, whose own items are `mine`: below it, the components' rules are
  // already at their paths.
  const b = below(root);
  for (const e of b.errors) guard(() => { throw e; });
  const theirs = b.rules;
  const layouts: LayoutInfo[] = [];
  for (const name of new Set([...mine.keys(), ...theirs.keys()])) {
    const m = mine.get(name);
    const rules = [...(m?.rules ?? []), ...(theirs.get(name) ?? [])];
    for (const w of m?.item.with ?? []) {
      guard(() => {
        const more = theirs.get(w.name) ?? mine.get(w.name)?.rules;
        if (more === undefined || w.name === name) {
          fail("MM5010", w.span, { detail: `layout '${name}' includes '${w.name}', which neither the model's components nor another of its layouts declare` },
            { hint: `layouts here: ${[...new Set([...mine.keys(), ...theirs.keys()])].join(", ")}` });
        }
        rules.push(...more);
      });
    }
    const span = m?.item.span ?? root.span;
    if (m !== undefined && m.item === defaultLayout && rules.length === 0) {
      guard(() => fail("MM5010", m.item.name.span, { detail: `neither the model nor any of its components declares rules for layout '${name}'` },
        { hint: "declare its rules here, or name a layout a component's block declares" }));
    }
    layouts.push({ name, rules, span });
  }
  return { layouts, ...(defaultLayout !== undefined ? { defaultLayout: defaultLayout.name.name } : {}) };
}

const prefixed = (name: string, r: Rule): Rule => ({ model: `${name}.${r.model}`, checkpoint: `${name}.${r.checkpoint}`, op: r.op });

function reserved(item: LayoutItem): never {
  return fail("MM5010", item.name.span, { detail: `'${OWN_LAYOUT}' names mm's own parameter paths (--layout ${OWN_LAYOUT}); a layout needs another name` });
}

/** The layouts a subtree's blocks declare, relative to its root, and their errors. */
interface Below {
  readonly rules: ReadonlyMap<string, readonly Rule[]>;
  readonly errors: readonly DiagnosticError[];
}

/** By instance, or by the template a memoized copy shares: a tower used by many models, or
 *  a stack of identical layers, is read once. Errors are kept to be reported again, since a
 *  template outlives one elaboration. */
const belowCache = new WeakMap<Instance, Below>();
const declCache = new WeakMap<BlockDecl, Below>();

/** A subtree's layouts: its declaration's, then its children's in order, each under the
 *  child's name. Children are computed first, with an explicit stack. */
function below(root: Instance): Below {
  const keyOf = (i: Instance): Instance => i.template ?? i;
  const order: Instance[] = [];
  const stack = [keyOf(root)];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (belowCache.has(n)) continue;
    order.push(n);
    const f = foldedStack(n);
    if (f) stack.push(keyOf(f.layer)); // its layers share one template
    else for (const c of n.children.values()) stack.push(keyOf(c));
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (belowCache.has(n)) continue;
    const own = ofDecl(n.decl);
    const rules = new Map<string, Rule[]>([...own.rules].map(([k, v]) => [k, [...v]]));
    const errors = [...own.errors];
    const f = foldedStack(n);
    const layer = f ? belowCache.get(keyOf(f.layer))! : undefined;
    // A folded stack's layers all have its first layer's rules: none (the common case), one
    // set per layer, or past MAX_LISTED layers one set for all with `*` for the index.
    const children: Iterable<[string, Instance]> = !f ? n.children : layer === NOTHING ? [] : f.count > MAX_LISTED ? [["*", f.layer]] : n.children;
    for (const [name, c] of children) {
      const b = belowCache.get(keyOf(c))!;
      errors.push(...b.errors);
      for (const [layout, rs] of b.rules) {
        const list = rules.get(layout) ?? [];
        for (const r of rs) list.push(prefixed(name, r));
        rules.set(layout, list);
      }
    }
    belowCache.set(n, rules.size === 0 && errors.length === 0 ? NOTHING : { rules, errors });
  }
  return belowCache.get(keyOf(root))!;
}

const NOTHING: Below = { rules: new Map(), errors: [] };
const MAX_LISTED = 10_000;

/** A block's layout items as rules, checked once per declaration. */
function ofDecl(decl: BlockDecl | undefined): Below {
  if (decl === undefined || decl.blockKind === "model") return NOTHING;
  let out = declCache.get(decl);
  if (out === undefined) {
    const rules = new Map<string, readonly Rule[]>();
    const errors: DiagnosticError[] = [];
    for (const item of decl.items) {
      if (item.kind !== "Layout") continue;
      try {
        if (item.name.name === OWN_LAYOUT) reserved(item);
        if (item.with.length > 0) fail("MM5010", item.with[0]!.span, { detail: "a block's layout holds its own rules; `with` composes layouts in a model" });
        if (rules.has(item.name.name)) fail("MM2002", item.name.span, { name: item.name.name, place: `${decl.blockKind} ${decl.name.name}` });
        rules.set(item.name.name, item.rules.map(rule));
      } catch (e) {
        if (!(e instanceof DiagnosticError)) throw e;
        errors.push(e);
      }
    }
    declCache.set(decl, (out = rules.size === 0 && errors.length === 0 ? NOTHING : { rules, errors }));
  }
  return out;
}
