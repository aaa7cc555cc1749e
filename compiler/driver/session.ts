// The compiler's front door: loads programs (and the stdlib on demand), finds models by
// name, and runs elaboration and checking. Tools and the CLI go through here.
import { resolve as resolvePath } from "node:path";
import type { BlockDecl, VariantDecl } from "../ast/ast.js";
import { checkModel, type CheckedModel } from "../check/check-model.js";
import { checkStandaloneBlock } from "../check/check-block.js";
import { diag, DiagnosticBag, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { elaborateModel, isUnpublished } from "../elaborate/model.js";
import type { ElaboratedModel, Instance } from "../elaborate/instance.js";
import { foldedStack } from "../elaborate/stack.js";
import { DEFAULT_LIMITS, raiseHint, withLimits, type Limits } from "../base/limits.js";
import { diskHost, listMmFiles, STDLIB_ROOT, type FileHost } from "../resolve/host.js";
import { loadProgram, type Program } from "../resolve/loader.js";
import type { FileScope } from "../resolve/scope.js";
import type { CheckCache } from "./check-cache.js";
import type { ParseCache } from "./parse-cache.js";

export interface ModelRef {
  readonly name: string;
  readonly decl: BlockDecl | VariantDecl;
  readonly home: FileScope;
}

export interface CompileResult {
  readonly checked?: CheckedModel;
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: ReadonlyMap<string, string>;
}

export function isModelDecl(d: FileScope["ast"]["decls"][number]): d is BlockDecl | VariantDecl {
  return d.kind === "Variant" || (d.kind === "Block" && d.blockKind === "model");
}

export class Session {
  private stdlibProgram?: Program;
  /** Check-only call results, shared by every model this session checks (see check/memo.ts). */
  private readonly memo = new Map<string, import("../elaborate/values.js").Value>();
  /** `parses`: parsed files to reuse while their text is unchanged; `checks`: model results to
   *  reuse while every file a model reaches is unchanged (`mm check --watch` keeps both across
   *  its sessions; a session itself never outlives an edit). */
  constructor(
    readonly host: FileHost = diskHost, private readonly parses?: ParseCache, private readonly checks?: CheckCache,
    readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  /** This session's files and caches with other budgets (`--limit`). */
  withLimits(limits: Limits): Session {
    return new Session(this.host, this.parses, this.checks, limits);
  }

  load(files: readonly string[]): Program {
    return loadProgram(files, this.host, this.parses?.parse, this.limits);
  }

  /** Every stdlib file, loaded once per session. */
  stdlib(): Program {
    this.stdlibProgram ??= loadProgram(listMmFiles(STDLIB_ROOT), this.host, this.parses?.parse, this.limits);
    return this.stdlibProgram;
  }

  /** Models declared in a program's entry files (not in what they import), in file order. */
  models(program: Program): ModelRef[] {
    const out: ModelRef[] = [];
    for (const path of program.entries) {
      const scope = program.files.get(path);
      if (!scope) continue;
      for (const d of scope.ast.decls) if (isModelDecl(d)) out.push({ name: d.name.name, decl: d, home: scope });
    }
    return out;
  }

  findModel(name: string, program?: Program): { ref?: ModelRef; program: Program } {
    if (program) {
      const hit = this.models(program).find((m) => m.name === name);
      if (hit) return { ref: hit, program };
    }
    const std = this.stdlib();
    const hit = this.models(std).find((m) => m.name === name);
    return hit ? { ref: hit, program: std } : { program: program ?? std };
  }

  /** Elaborates and checks one model. */
  compile(ref: ModelRef, program: Program, opts: { checkOnly?: boolean; bind?: ReadonlyMap<string, number>; training?: boolean } = {}): CompileResult {
    const lookup = declLookup;
    return withLimits(this.limits, () => {
      const el = elaborateModel(ref.decl, ref.home, lookup, program.sources, this.limits);
      const errors = el.diagnostics.some((d) => d.severity === "error");
      const checked = el.model && !errors ? checkModel(el.model, { ...opts, memo: this.memo, limits: this.limits }) : undefined;
      return {
        ...(checked ? { checked } : {}),
        diagnostics: capErrors([...el.diagnostics, ...(checked?.diagnostics ?? [])], this.limits.errors),
        sources: program.sources,
      };
    });
  }

  /** The elaborated model alone, repeat stacks of identical layers left folded (stack.ts):
   *  what `mm params` counts, at any depth, without unrolling or tracing. */
  elaborateFolded(ref: ModelRef, program: Program): { model?: ElaboratedModel; diagnostics: readonly Diagnostic[] } {
    return withLimits(this.limits, () => elaborateModel(ref.decl, ref.home, declLookup, program.sources, this.limits, true));
  }

  /** `mm check`: every model of the files, and every block that can stand alone. */
  checkFiles(files: readonly string[]): { diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string>; models: number } {
    const program = this.load(files);
    const out: Diagnostic[] = [...program.diagnostics];
    for (const f of files) {
      const abs = resolvePath(f);
      // Not loaded: missing, unless the loader said why (MM7006, a file too large).
      if (!program.files.has(abs) && !out.some((d) => d.span.file === abs)) out.push(diag("MM2003", { file: f, start: 0, end: 0 }, { path: f }));
    }
    const syntaxErrors = program.diagnostics.some((d) => d.code.startsWith("MM1"));
    let models = 0;
    // Blocks a model instantiates were checked with it; only the others stand alone.
    const used = new Set<BlockDecl>();
    if (!syntaxErrors) {
      for (const ref of this.models(program)) {
        if (isUnpublished(ref.decl)) continue; // listed, never compiled
        models++;
        let hit = this.checks?.get(ref.decl, ref.home, program);
        if (!hit) {
          const r = this.compile(ref, program, { checkOnly: true });
          const decls = new Set<BlockDecl>();
          if (r.checked) collectDecls(r.checked.model.root, decls);
          hit = { diagnostics: r.diagnostics, decls };
          this.checks?.set(ref.decl, ref.home, program, hit);
        }
        out.push(...hit.diagnostics);
        for (const d of hit.decls) used.add(d);
        if (out.filter((d) => d.severity === "error").length >= this.limits.errors) break; // capErrors says so
      }
      for (const path of program.entries) {
        const scope = program.files.get(path);
        if (!scope) continue;
        for (const d of scope.ast.decls) {
          if (d.kind === "Block" && d.blockKind !== "model" && !used.has(d)) {
            const ds = withLimits(this.limits, () => checkStandaloneBlock(d, scope, program.sources, this.memo, this.limits));
            // A chain of blocks too deep (MM3019) is too deep from each of its first blocks: said once.
            out.push(...(out.some((x) => x.code === "MM3019") ? ds.filter((x) => x.code !== "MM3019") : ds));
          }
        }
      }
    }
    return { diagnostics: capErrors(dedupe(sortDiagnostics(out)), this.limits.errors), sources: program.sources, models };
  }
}

function declLookup(n: string, from: FileScope): { decl: BlockDecl | VariantDecl; home: FileScope } | undefined {
  const r = from.names.get(n);
  if (!r) return undefined;
  return r.decl.kind === "Enum" ? undefined : { decl: r.decl, home: r.home };
}

/** At most `cap` errors, in order, and then MM7004 saying the run stopped there. */
export function capErrors(ds: readonly Diagnostic[], cap: number): Diagnostic[] {
  let errors = 0;
  const out: Diagnostic[] = [];
  for (const d of ds) {
    if (d.code === "MM7004") continue; // capped before (a model's list, then the run's): said once, at the end
    if (d.severity === "error" && ++errors > cap) continue;
    out.push(d);
  }
  if (errors >= cap) {
    const last = out.filter((d) => d.severity === "error")[cap - 1]!;
    out.push(diag("MM7004", last.span, { limit: cap }, { hint: raiseHint("errors") }));
  }
  return out;
}

/** A memoized copy holds the declarations of its template, which is walked once. */
function collectDecls(inst: Instance, into: Set<BlockDecl>, seen = new Set<Instance>()): void {
  const i = inst.template ?? inst;
  if (seen.has(i)) return;
  seen.add(i);
  if (i.decl) into.add(i.decl);
  const f = foldedStack(i); // its layers are copies of one template
  for (const c of f ? [f.layer] : i.children.values()) collectDecls(c, into, seen);
}

/** One diagnostic per error (several models may instantiate one failing block): the bag
 *  merges repeats and their instances, uncapped here (capErrors caps the run). */
function dedupe(ds: readonly Diagnostic[]): Diagnostic[] {
  const bag = new DiagnosticBag(Infinity);
  for (const d of ds) bag.add(d);
  return bag.items;
}
