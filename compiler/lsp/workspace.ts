// The language server's view of the files: open documents (their unsaved text) over the disk,
// and the caches `mm check --watch` keeps (a parse per changed text, a check per model whose
// files changed), so an edit costs the edited file's parse and the checking of what reaches it.
// Each question is answered on a fresh session over those caches; a file's traced models are
// kept until its text or a file it reaches changes.
import { resolve } from "node:path";
import type { FileAst } from "../ast/ast.js";
import type { CheckedModel } from "../check/check-model.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { CheckCache } from "../driver/check-cache.js";
import { ParseCache } from "../driver/parse-cache.js";
import { Session } from "../driver/session.js";
import { isUnpublished } from "../elaborate/model.js";
import { diskHost, type FileHost } from "../resolve/host.js";
import type { Program } from "../resolve/loader.js";
import type { FileScope } from "../resolve/scope.js";

export interface Analysis {
  readonly program: Program;
  readonly scope: FileScope | undefined;
  /** The file's models that check, traced (for shapes). */
  readonly models: readonly CheckedModel[];
}

export class Workspace {
  private readonly open = new Map<string, string>();
  private readonly parses = new ParseCache();
  private readonly checks = new CheckCache();
  private readonly analyses = new Map<string, { asts: readonly FileAst[]; analysis: Analysis }>();
  readonly host: FileHost = {
    read: (p) => this.open.get(resolve(p)) ?? diskHost.read(p),
    isFile: (p) => this.open.has(resolve(p)) || diskHost.isFile(p),
    realpath: (p) => (this.open.has(resolve(p)) ? resolve(p) : diskHost.realpath!(p)),
  };

  set(path: string, text: string): void {
    this.open.set(resolve(path), text);
  }
  close(path: string): void {
    this.open.delete(resolve(path));
  }
  text(path: string): string | undefined {
    return this.host.read(resolve(path));
  }
  get openFiles(): string[] {
    return [...this.open.keys()];
  }

  session(): Session {
    return new Session(this.host, this.parses, this.checks);
  }

  /** `mm check` of one file: its diagnostics and those of what it imports. */
  check(path: string): { diagnostics: readonly Diagnostic[]; sources: ReadonlyMap<string, string> } {
    return this.session().checkFiles([resolve(path)]);
  }

  /** The file's program and its models traced; reused while the texts it read are unchanged. */
  analyze(path: string): Analysis {
    const file = resolve(path);
    const session = this.session();
    const program = session.load([file]);
    // The parse cache returns the same AST for the same text: the key is the ASTs themselves.
    const asts = [...program.files.values()].map((s) => s.ast);
    const hit = this.analyses.get(file);
    if (hit !== undefined && hit.asts.length === asts.length && hit.asts.every((a, i) => a === asts[i])) return hit.analysis;
    const models: CheckedModel[] = [];
    if (!program.diagnostics.some((d) => d.severity === "error")) {
      for (const ref of session.models(program)) {
        if (isUnpublished(ref.decl)) continue;
        const r = session.compile(ref, program);
        if (r.checked) models.push(r.checked);
      }
    }
    const analysis: Analysis = { program, scope: program.files.get(file), models };
    this.analyses.set(file, { asts, analysis });
    return analysis;
  }
}
