// Model check results kept across `mm check --watch` rounds. A model's diagnostics are a
// function of the files its declaration reaches through imports: their parsed text (the parse
// cache hands back the same AST object for unchanged text) and how their imports resolved.
// While all of those are unchanged the model is not elaborated or traced again.
import type { BlockDecl, FileAst, VariantDecl } from "../ast/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Program } from "../resolve/loader.js";
import type { FileScope } from "../resolve/scope.js";

export interface CachedCheck {
  readonly diagnostics: readonly Diagnostic[];
  /** Block declarations the model instantiates (they are not checked standalone). */
  readonly decls: ReadonlySet<BlockDecl>;
}

interface Entry extends CachedCheck {
  /** Every file the model reaches: its AST and its imports' resolutions. */
  readonly files: ReadonlyMap<string, { readonly ast: FileAst | undefined; readonly deps: string }>;
}

export class CheckCache {
  /** By declaration: an edited file's declarations are new objects, so they never hit. */
  private readonly entries = new WeakMap<BlockDecl | VariantDecl, Entry>();
  hits = 0;

  get(decl: BlockDecl | VariantDecl, home: FileScope, program: Program): CachedCheck | undefined {
    const e = this.entries.get(decl);
    if (e === undefined) return undefined;
    const now = reach(home, program);
    if (now.size !== e.files.size) return undefined;
    for (const [path, f] of now) {
      const was = e.files.get(path);
      if (was === undefined || was.ast !== f.ast || was.deps !== f.deps) return undefined;
    }
    this.hits++;
    return e;
  }

  set(decl: BlockDecl | VariantDecl, home: FileScope, program: Program, result: CachedCheck): void {
    this.entries.set(decl, { ...result, files: reach(home, program) });
  }
}

/** The files `home` reaches through imports (itself included); a path that did not load
 *  maps to no AST, so that its appearing later is a change. */
function reach(home: FileScope, program: Program): Map<string, { ast: FileAst | undefined; deps: string }> {
  const out = new Map<string, { ast: FileAst | undefined; deps: string }>();
  const visit = (path: string): void => {
    if (out.has(path)) return;
    const scope = program.files.get(path);
    out.set(path, { ast: scope?.ast, deps: scope ? scope.deps.join("\n") : "" });
    for (const d of scope?.deps ?? []) if (!d.startsWith("missing:") && !d.startsWith("escape:")) visit(d);
  };
  visit(home.path);
  return out;
}
