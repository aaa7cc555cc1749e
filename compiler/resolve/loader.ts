// Loads a program: parses the entry files, follows imports (relative or std/), detects
// cycles and escapes, and builds each file's scope.
import { dirname, relative, resolve, sep } from "node:path";
import type { Decl, FileAst, Ident, ImportDecl, Span } from "../ast/ast.js";
import { DEFAULT_LIMITS, raiseHint, type Limits } from "../base/limits.js";
import { parseFile, type ParsedFile } from "../../grammar/index.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { diskHost, projectRootOf, STDLIB_ROOT, type FileHost } from "./host.js";
import type { FileScope } from "./scope.js";

export interface Program {
  /** Scopes of every loaded file, in load order. */
  readonly files: ReadonlyMap<string, FileScope>;
  readonly entries: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  /** File texts, for caret frames. */
  readonly sources: ReadonlyMap<string, string>;
}

export function declName(d: Decl): string {
  return d.name.name;
}

/** `parse`: how a file's text becomes an AST (a watcher passes one that reuses unchanged files).
 *  Imports are followed depth first with an explicit stack, not recursion: a chain of
 *  10,000 imports is no deeper for the compiler than a chain of two. */
export function loadProgram(
  entryPaths: readonly string[], host: FileHost = diskHost, parse: (path: string, text: string) => ParsedFile = parseFile,
  limits: Pick<Limits, "files" | "fileBytes"> = DEFAULT_LIMITS,
): Program {
  const files = new Map<string, FileScope>();
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const state = new Map<string, "loading" | "done">();
  let overBudget = false;

  /** Reads and parses one file (marking it loading), or reports why it cannot be. */
  const open = (path: string, at: Span): FileScope | undefined => {
    if (files.size >= limits.files) {
      if (!overBudget) diagnostics.push(diag("MM7005", at, { limit: limits.files }, { hint: raiseHint("files") }));
      overBudget = true;
      return undefined;
    }
    const info = host.stat?.(path);
    if (info && info.kind !== "file") return undefined; // never read a FIFO or device (imports report it)
    if (info && info.size > limits.fileBytes) {
      diagnostics.push(diag("MM7006", at, { path: relative(process.cwd(), path) || path, size: info.size, limit: limits.fileBytes }, { hint: raiseHint("fileBytes") }));
      return undefined;
    }
    const text = host.read(path);
    if (text === undefined) return undefined;
    if (text.length > limits.fileBytes) { // a host without stat (in memory, an editor's buffer)
      diagnostics.push(diag("MM7006", at, { path: relative(process.cwd(), path) || path, size: text.length, limit: limits.fileBytes }, { hint: raiseHint("fileBytes") }));
      return undefined;
    }
    state.set(path, "loading");
    sources.set(path, text);
    const { ast, diagnostics: parseDiags } = parse(path, text);
    diagnostics.push(...parseDiags);
    const scope: FileScope = { path, ast, names: new Map(), deps: [] };
    files.set(path, scope);
    for (const d of ast.decls) addName(scope, declName(d), d, scope, diagnostics);
    for (const d of ast.decls) duplicateNames(d, diagnostics);
    for (const d of ast.decls) routeless(d, diagnostics);
    return scope;
  };

  /** The names `imp` brings into `scope` from the loaded file `imported`. */
  const bind = (scope: FileScope, imp: ImportDecl, imported: FileScope): void => {
    if (imp.names) {
      for (const n of imp.names) {
        const ref = ownDecl(imported, n.name);
        if (!ref) {
          const own = imported.ast.decls.map(declName);
          diagnostics.push(diag("MM2006", n.span, { name: n.name, path: imp.path.value }, withHint(didYouMean(n.name, own))));
        } else addName(scope, n.name, ref, imported, diagnostics, n.span);
      }
    } else {
      // A whole-file import brings the file's own declarations, not what it imported.
      for (const d of imported.ast.decls) addName(scope, declName(d), d, imported, diagnostics, imp.span);
    }
  };

  /** Where an import leads, or undefined after reporting why it leads nowhere. */
  const target = (scope: FileScope, imp: ImportDecl): string | undefined => {
    const t = resolveImport(scope.path, imp.path.value, host);
    scope.deps.push(t.kind === "file" ? t.path : `${t.kind}:${imp.path.value}`);
    if (t.kind === "escape") {
      diagnostics.push(diag("MM2005", imp.path.span, { path: imp.path.value, reason: `leaves the project root ${t.root}` }, {
        hint: "import from the standard library with `std/...`, or move the file inside the project",
      }));
      return undefined;
    }
    if (t.kind === "special") {
      diagnostics.push(diag("MM2005", imp.path.span, { path: imp.path.value, reason: "is a folder, device or pipe, not a source file" }, {
        hint: "an import names a .mm file",
      }));
      return undefined;
    }
    if (t.kind === "missing") {
      diagnostics.push(diag("MM2003", imp.path.span, { path: imp.path.value }, {
        hint: imp.path.value.startsWith("std/") ? "`mm list` shows the standard library" : "paths are relative to the importing file",
      }));
      return undefined;
    }
    return t.path;
  };

  interface Frame { readonly scope: FileScope; next: number; pending?: FileScope }
  const loadFrom = (entry: string): void => {
    if (state.has(entry)) return;
    const first = open(entry, { file: entry, start: 0, end: 0 });
    if (!first) return;
    const frames: Frame[] = [{ scope: first, next: 0 }];
    while (frames.length) {
      const f = frames[frames.length - 1]!;
      const imp = f.scope.ast.imports[f.next];
      if (!imp) {
        state.set(f.scope.path, "done");
        frames.pop();
        continue;
      }
      if (f.pending) { // the import's file has just been loaded
        bind(f.scope, imp, f.pending);
        delete f.pending;
        f.next++;
        continue;
      }
      f.next++;
      const path = target(f.scope, imp);
      if (path === undefined) continue;
      const st = state.get(path);
      if (st === "loading") {
        const i = frames.findIndex((x) => x.scope.path === path);
        const chain = [...frames.slice(i).map((x) => x.scope.path), path].map((p) => relative(process.cwd(), p) || p);
        diagnostics.push(diag("MM2004", imp.path.span, { cycle: chain.join(" -> ") }, {
          hint: "move the declarations both files need into a third file",
        }));
        continue;
      }
      const done = st === "done" ? files.get(path) : undefined;
      if (done) {
        bind(f.scope, imp, done);
        continue;
      }
      const child = open(path, imp.path.span);
      if (!child) continue;
      f.next--; // bind this import when the child is done
      f.pending = child;
      frames.push({ scope: child, next: 0 });
    }
  };

  const entries: string[] = [];
  for (const p of entryPaths) {
    const abs = resolve(p);
    entries.push(abs);
    loadFrom(abs);
  }
  return { files, entries, diagnostics, sources };
}

function withHint(h: string | undefined): { hint?: string } {
  return h === undefined ? {} : { hint: h };
}

/** A block's parameters, its forward's inputs and an enum's members, each declared once. */
function duplicateNames(d: Decl, diagnostics: Diagnostic[]): void {
  const lists: [readonly Ident[], string][] = d.kind === "Enum" ? [[d.members, `enum ${d.name.name}`]]
    : d.kind === "Block" ? [[d.params.map((p) => p.name), `the parameters of ${d.name.name}`],
      ...d.items.flatMap((i): [readonly Ident[], string][] => (i.kind === "Forward" ? [[i.inputs.map((x) => x.name), `the inputs of ${d.name.name}'s forward`]] : []))]
    : [];
  for (const [names, place] of lists) {
    const seen = new Map<string, Ident>();
    for (const n of names) {
      const prev = seen.get(n.name);
      if (prev) diagnostics.push(diag("MM2002", n.span, { name: n.name, place }, { related: [{ span: prev.span, message: "first declared here" }], hint: "rename one of them" }));
      else seen.set(n.name, n);
    }
  }
}

/** An `experts` block is called through its route; without one (and without a forward of
 *  its own) no call of it can work, which is the declaration's mistake, not each call's. */
function routeless(d: Decl, diagnostics: Diagnostic[]): void {
  if (d.kind !== "Block" || d.blockKind !== "experts") return;
  if (d.items.some((i) => i.kind === "Route" || i.kind === "Forward")) return;
  diagnostics.push(diag("MM5005", d.name.span, { detail: `experts ${d.name.name} has no route` }, {
    hint: "add `route by modality` (a call names the expert) or `route topk(k, gate: router)` (a learned gate mixes the k best)",
  }));
}

function ownDecl(scope: FileScope, name: string): Decl | undefined {
  return scope.ast.decls.find((d) => declName(d) === name);
}

function addName(
  scope: FileScope, name: string, decl: Decl, home: FileScope, diagnostics: Diagnostic[], importSpan?: ImportDecl["span"],
): void {
  const prev = scope.names.get(name);
  if (prev) {
    if (prev.decl === decl) return; // the same declaration imported twice
    const span = importSpan ?? decl.name.span;
    diagnostics.push(diag("MM2002", span, { name, place: scope.path === home.path ? "this file" : "this file's imports" }, {
      related: [{ span: prev.decl.name.span, message: "first declared here" }],
      hint: "rename one of them, or import only the names you need with `import { ... } from`",
    }));
    return;
  }
  scope.names.set(name, { decl, home });
}

type ImportTarget = { kind: "file" | "special"; path: string } | { kind: "missing" } | { kind: "escape"; root: string };

export function resolveImport(fromFile: string, spec: string, host: FileHost): ImportTarget {
  // Checked by the path as written and, symlinks resolved, by where it really is: a link
  // inside the project to /etc or another folder is an escape, refused before it is read.
  const real = (p: string): string => host.realpath?.(p) ?? p;
  if (spec.startsWith("std/")) {
    const p = resolve(STDLIB_ROOT, spec.slice(4));
    if (!isInside(p, STDLIB_ROOT) || !isInside(real(p), real(STDLIB_ROOT))) return { kind: "escape", root: STDLIB_ROOT };
    return fileKind(p, host);
  }
  const p = resolve(dirname(fromFile), spec);
  const root = projectRootOf(fromFile, host);
  const inside = (x: string, r: string): boolean => isInside(x, r) && isInside(real(x), real(r));
  if (!inside(p, root) && !inside(p, STDLIB_ROOT)) return { kind: "escape", root: relative(process.cwd(), root) || "." };
  return fileKind(p, host);
}

/** A regular file, something else that exists (a folder, device or FIFO: never read, since
 *  reading a FIFO blocks and a device never ends), or nothing. */
function fileKind(p: string, host: FileHost): ImportTarget {
  if (host.isFile(p)) return { kind: "file", path: p };
  return host.stat?.(p) ? { kind: "special", path: p } : { kind: "missing" };
}

function isInside(p: string, root: string): boolean {
  const r = relative(root, p);
  return r === "" || (!r.startsWith("..") && !r.startsWith(sep) && !/^[A-Za-z]:/.test(r));
}

export type { FileAst };
