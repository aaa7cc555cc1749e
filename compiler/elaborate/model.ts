// Elaborates a model: resolves a variant chain to its base declaration, applies the
// variants' arguments and overrides, then reads inputs, tasks and stages.
import type { BlockDecl, LayoutItem, ListField, Span, VariantDecl } from "../ast/ast.js";
import { DiagnosticBag, fail, type Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { DEFAULT_LIMITS, type Limits } from "../base/limits.js";
import type { FileScope } from "../resolve/scope.js";
import type { Env } from "./env.js";
import { evalArgs, evalExpr, type EvArg } from "./eval.js";
import { Elaborator, type OverrideEntry } from "./elaborate.js";
import { fileEnv } from "./globals.js";
import type { ElaboratedModel, InputInfo, Instance, StageInfo, TaskInfo } from "./instance.js";
import { modelLayouts } from "./layout.js";
import { unrolledElements } from "./stack.js";
import { evalDim, evalDType, fieldValues, SymbolicEnv } from "./items.js";
import type { BoundArg, Value } from "./values.js";

export type DeclLookup = (name: string, from: FileScope) => { decl: BlockDecl | VariantDecl; home: FileScope } | undefined;

export interface ElabOutput {
  readonly model?: ElaboratedModel;
  readonly diagnostics: readonly Diagnostic[];
}

/** `folded`: repeat stacks of identical layers may exceed the instance budget, since the
 *  caller (`mm params`) counts them without unrolling (stack.ts). */
export function elaborateModel(
  decl: BlockDecl | VariantDecl, home: FileScope, lookup: DeclLookup, sources: ReadonlyMap<string, string>,
  limits: Limits = DEFAULT_LIMITS, folded = false,
): ElabOutput {
  const bag = new DiagnosticBag(limits.errors);
  const overrides = new Map<string, OverrideEntry>();
  const elab = new Elaborator(bag, sources, overrides, limits, folded);
  const model = elab.guard(() => {
    const chain = variantChain(decl, home, lookup);
    const base = chain.base;
    const args = new Map<string, BoundArg>();
    for (const v of chain.variants) {
      const env = fileEnv(v.home);
      const evArgs = evalArgs(v.decl.args, { env });
      bindVariantArgs(base.decl, evArgs, args);
      for (const o of v.decl.overrides) addOverride(overrides, o, env, elab);
    }
    const root = elab.instantiate({ k: "block", decl: base.decl, scope: base.home, bound: args }, [], "", "", decl.span);
    const elements = unrolledElements(root);
    if (elements > Number.MAX_SAFE_INTEGER) {
      fail("MM3008", decl.name.span, { value: `the model's ${elements.toExponential(3)} parameter and buffer values`, limit: "2^53" }, {
        hint: "counts and weight files stay exact up to 2^53 values in all; is a width or a repeat count a typo?",
      });
    }
    for (const [k, o] of overrides) {
      if (!o.used) elab.guard(() => fail("MM3012", o.span, { path: k, reason: "the model has no submodule there" }, hintPaths(root)));
    }
    return finishModel(elab, decl, base.decl, root, chain.variants.length ? base.decl.name.name : undefined);
  });
  return { ...(model && bag.errorCount === 0 ? { model } : model ? { model } : {}), diagnostics: bag.items };
}

interface Chain {
  readonly base: { decl: BlockDecl; home: FileScope };
  readonly variants: { decl: VariantDecl; home: FileScope }[];
}

function variantChain(decl: BlockDecl | VariantDecl, home: FileScope, lookup: DeclLookup): Chain {
  const variants: { decl: VariantDecl; home: FileScope }[] = [];
  let cur: { decl: BlockDecl | VariantDecl; home: FileScope } = { decl, home };
  const seen = new Set<string>();
  while (cur.decl.kind === "Variant") {
    const v: VariantDecl = cur.decl;
    if (seen.has(v.name.name)) fail("MM3006", v.name.span, { name: v.name.name, chain: [...seen, v.name.name].join(" -> ") });
    seen.add(v.name.name);
    variants.unshift({ decl: v, home: cur.home });
    if (isUnpublished(v)) {
      // Reached through a variant: the variant is the mistake; the record is a note.
      const name = v.displayName?.value ?? v.name.name;
      if (v === decl || decl.kind !== "Variant") fail("MM5009", v.base.span, { name });
      fail("MM5009", decl.base.span, { name }, { related: [{ span: v.span, message: `${v.name.name} is recorded as unpublished here` }] });
    }
    const next = lookup(v.base.name, cur.home);
    if (!next) {
      const h = didYouMean(v.base.name, [...cur.home.names.keys()]);
      fail("MM2007", v.base.span, { name: v.base.name }, h ? { hint: h } : {});
    }
    cur = next;
  }
  if (cur.decl.blockKind !== "model") fail("MM5008", decl.kind === "Variant" ? decl.base.span : decl.name.span, { name: cur.decl.name.name, kind: cur.decl.blockKind });
  return { base: { decl: cur.decl, home: cur.home }, variants };
}

/** `model X = unpublished "Name"`: named in the literature, never published. */
export function isUnpublished(d: BlockDecl | VariantDecl): boolean {
  return d.kind === "Variant" && d.base.name === "unpublished" && d.args.length === 0 && d.overrides.length === 0;
}

function bindVariantArgs(base: BlockDecl, evArgs: readonly EvArg[], into: Map<string, BoundArg>): void {
  let pos = 0;
  for (const a of evArgs) {
    const name = a.name ?? base.params[pos++]?.name.name;
    if (name === undefined) fail("MM3004", a.span, { callee: base.name.name, max: base.params.length, given: pos });
    if (!base.params.some((p) => p.name.name === name)) fail("MM3003", a.nameSpan ?? a.span, { callee: base.name.name, name });
    into.set(name, { value: a.value, span: a.span });
  }
}

function addOverride(overrides: Map<string, OverrideEntry>, o: VariantDecl["overrides"][number], env: ReturnType<typeof fileEnv>, elab: Elaborator): void {
  elab.guard(() => {
    const names = o.path.map((p) => p.name);
    const v = o.value;
    if (v.kind === "Call") {
      const callee = evalExpr(v.callee, { env });
      if (callee.k === "block") {
        const key = names.join(".");
        const entry: OverrideEntry = overrides.get(key) ?? { args: new Map(), used: false, span: o.span };
        entry.replace = { callee, args: evalArgs(v.args, { env }), span: v.span };
        entry.args.clear(); // a later replacement wins over earlier argument overrides
        overrides.set(key, entry);
        return;
      }
    }
    if (names.length < 2) fail("MM3012", o.span, { path: names.join("."), reason: "write `name = Block(...)` to replace a submodule or `name.arg = value` to set an argument" });
    const key = names.slice(0, -1).join(".");
    const entry: OverrideEntry = overrides.get(key) ?? { args: new Map(), used: false, span: o.span };
    entry.args.set(names[names.length - 1]!, { value: evalExpr(v, { env }), span: v.span });
    overrides.set(key, entry);
  });
}

function refSpans(fields: readonly ListField[]): Map<string, Span> {
  const m = new Map<string, Span>();
  for (const f of fields) for (const p of f.values) if (!m.has(p.segments.join("."))) m.set(p.segments.join("."), p.span);
  return m;
}

function hintPaths(root: Instance): { hint?: string } {
  const names = [...root.children.keys()];
  return names.length ? { hint: `submodules of the model: ${names.join(", ")}` } : {};
}

/** An env of an instance's compile-time names and children, for model-level items. */
export function instanceEnv(inst: Instance): Env {
  const hit = envCache.get(inst);
  if (hit) return hit;
  const env = new InstanceEnv(inst, inst.scope ? fileEnv(inst.scope) : undefined);
  envCache.set(inst, env); // instances are immutable, and every call of one needs this env
  return env;
}

const envCache = new WeakMap<Instance, Env>();

/** Reads the instance's maps in place: children first, then compile-time names, then absent
 *  params as `none`. Copying them into one map cost more than the few lookups a call makes. */
class InstanceEnv implements Env {
  constructor(private readonly inst: Instance, private readonly parent: Env | undefined) {}
  lookup(name: string): Value | undefined {
    const i = this.inst;
    const c = i.children.get(name);
    if (c !== undefined) return { k: "instance", inst: c };
    const v = i.env.get(name);
    if (v !== undefined) return v;
    if (i.absentParams?.includes(name)) return NONE;
    return this.parent?.lookup(name);
  }
  names(): string[] {
    const i = this.inst;
    return [...new Set([...i.env.keys(), ...i.children.keys(), ...(i.absentParams ?? [])]), ...(this.parent?.names() ?? [])];
  }
}

const NONE: Value = { k: "none" };

function finishModel(elab: Elaborator, decl: BlockDecl | VariantDecl, base: BlockDecl, root: Instance, variantOf: string | undefined): ElaboratedModel {
  const env = new SymbolicEnv(instanceEnv(root));
  const inputs: InputInfo[] = [];
  const tasks: TaskInfo[] = [];
  const stages: StageInfo[] = [];
  const seen = new Map<string, Span>();
  for (const item of base.items) {
    if (item.kind === "Input") {
      elab.guard(() => {
        const prev = seen.get(item.name.name);
        if (prev || root.env.has(item.name.name) || root.children.has(item.name.name)) {
          fail("MM2002", item.name.span, { name: item.name.name, place: `model ${base.name.name}` }, prev ? { related: [{ span: prev, message: "first declared here" }] } : {});
        }
        seen.set(item.name.name, item.name.span);
        const dims = item.type.dims.map((d) => evalDim(d, env, "an input dim"));
        inputs.push({ name: item.name.name, dims, dtype: evalDType(item.type, "float32"), span: item.span });
      });
    } else if (item.kind === "Task") {
      elab.guard(() => {
        const prev = tasks.find((t) => t.name === item.name.name);
        if (prev) fail("MM2002", item.name.span, { name: item.name.name, place: `the tasks of model ${base.name.name}` }, { related: [{ span: prev.span, message: "first declared here" }] });
        const f = fieldValues(item.fields, ["outputs", "losses", "inputs"], `task ${item.name.name}`);
        const flat = (k: string): string[] => (f.get(k) ?? []).map((s) => s.join("."));
        tasks.push({ name: item.name.name, outputs: flat("outputs"), losses: flat("losses"), inputs: flat("inputs"), span: item.span, refSpans: refSpans(item.fields) });
      });
    } else if (item.kind === "Stage") {
      elab.guard(() => {
        const prev = stages.find((t) => t.name === item.name.name);
        if (prev) fail("MM2002", item.name.span, { name: item.name.name, place: `the stages of model ${base.name.name}` }, { related: [{ span: prev.span, message: "first declared here" }] });
        const f = fieldValues(item.fields, ["train", "freeze", "tasks"], `stage ${item.name.name}`);
        stages.push({
          name: item.name.name, train: f.get("train") ?? [], freeze: f.get("freeze") ?? [],
          tasks: (f.get("tasks") ?? []).map((s) => s.join(".")), span: item.span, refSpans: refSpans(item.fields),
        });
      });
    }
  }
  const own = base.items.filter((i): i is LayoutItem => i.kind === "Layout");
  const { layouts, defaultLayout } = modelLayouts(own, root, `model ${base.name.name}`, (f) => elab.guard(f));
  const doc = decl.doc ?? base.doc;
  return {
    name: decl.name.name, root, inputs, tasks, stages, span: decl.span, ...(layouts.length ? { layouts } : {}),
    ...(defaultLayout !== undefined ? { defaultLayout } : {}),
    ...(doc !== undefined ? { doc } : {}), ...(variantOf ? { variantOf } : {}),
  };
}
