// The compiler's front door: loads programs (and the stdlib on demand), finds models by
// name, and runs elaboration and checking. Tools and the CLI go through here.
import { resolve as resolvePath } from "node:path";
import type { BlockDecl, VariantDecl } from "../ast/ast.js";
import { checkModel, type CheckedModel } from "../check/check-model.js";
import { checkStandaloneBlock } from "../check/check-block.js";
import { diag, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { elaborateModel, isUnpublished } from "../elaborate/model.js";
import type { Instance } from "../elaborate/instance.js";
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
  constructor(readonly host: FileHost = diskHost, private readonly parses?: ParseCache, private readonly checks?: CheckCache) {}

  load(files: readonly string[]): Program {
    return loadProgram(files, this.host, this.parses?.parse);
  }

  /** Every stdlib file, loaded once per session. */
  stdlib(): Program {
    this.stdlibProgram ??= loadProgram(listMmFiles(STDLIB_ROOT), this.host, this.parses?.parse);
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
    const lookup = (n: string, from: FileScope): { decl: BlockDecl | VariantDecl; home: FileScope } | undefined => {
      const r = from.names.get(n);
      if (!r) return undefined;
      return r.decl.kind === "Enum" ? undefined : { decl: r.decl, home: r.home };
    };
    const el = elaborateModel(ref.decl, ref.home, lookup, program.sources);
    const errors = el.diagnostics.some((d) => d.severity === "error");
    const checked = el.model && !errors ? checkModel(el.model, { ...opts, memo: this.memo }) : undefined;
    return {
      ...(checked ? { checked } : {}),
      diagnostics: [...el.diagnostics, ...(checked?.diagnostics ?? [])],
      sources: program.sources,
    };
  }

  /** `mm check`: every model of the files, and every block that can stand alone. */
  checkFiles(files: readonly string[]): { diagnostics: Diagnostic[]; sources: ReadonlyMap<string, string>; models: number } {
    const program = this.load(files);
    const out: Diagnostic[] = [...program.diagnostics];
    for (const f of files) {
      if (!program.files.has(resolvePath(f))) out.push(diag("MM2003", { file: f, start: 0, end: 0 }, { path: f }));
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
      }
      for (const path of program.entries) {
        const scope = program.files.get(path);
        if (!scope) continue;
        for (const d of scope.ast.decls) {
          if (d.kind === "Block" && d.blockKind !== "model" && !used.has(d)) out.push(...checkStandaloneBlock(d, scope, program.sources, this.memo));
        }
      }
    }
    return { diagnostics: dedupe(sortDiagnostics(out)), sources: program.sources, models };
  }
}

/** A memoized copy holds the declarations of its template, which is walked once. */
function collectDecls(inst: Instance, into: Set<BlockDecl>, seen = new Set<Instance>()): void {
  const i = inst.template ?? inst;
  if (seen.has(i)) return;
  seen.add(i);
  if (i.decl) into.add(i.decl);
  for (const c of i.children.values()) collectDecls(c, into, seen);
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.code}:${d.span.file}:${d.span.start}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
