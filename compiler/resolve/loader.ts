// Loads a program: parses the entry files, follows imports (relative or std/), detects
// cycles and escapes, and builds each file's scope.
import { dirname, relative, resolve, sep } from "node:path";
import type { Decl, FileAst, Ident, ImportDecl } from "../ast/ast.js";
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

/** `parse`: how a file's text becomes an AST (a watcher passes one that reuses unchanged files). */
export function loadProgram(
  entryPaths: readonly string[], host: FileHost = diskHost, parse: (path: string, text: string) => ParsedFile = parseFile,
): Program {
  const files = new Map<string, FileScope>();
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const state = new Map<string, "loading" | "done">();

  const load = (path: string, stack: string[]): FileScope | undefined => {
    const st = state.get(path);
    if (st === "done") return files.get(path);
    if (st === "loading") return undefined; // the cycle is reported by the importer
    const text = host.read(path);
    if (text === undefined) return undefined;
    state.set(path, "loading");
    sources.set(path, text);
    const { ast, diagnostics: parseDiags } = parse(path, text);
    diagnostics.push(...parseDiags);
    const scope: FileScope = { path, ast, names: new Map(), deps: [] };
    files.set(path, scope);
    for (const d of ast.decls) addName(scope, declName(d), d, scope, diagnostics);
    for (const d of ast.decls) duplicateNames(d, diagnostics);
    for (const imp of ast.imports) importInto(scope, imp, [...stack, path]);
    state.set(path, "done");
    return scope;
  };

  const importInto = (scope: FileScope, imp: ImportDecl, stack: string[]): void => {
    const target = resolveImport(scope.path, imp.path.value, host);
    scope.deps.push(target.kind === "file" ? target.path : `${target.kind}:${imp.path.value}`);
    if (target.kind === "escape") {
      diagnostics.push(diag("MM2005", imp.path.span, { path: imp.path.value, root: target.root }, {
        hint: "import from the standard library with `std/...`, or move the file inside the project",
      }));
      return;
    }
    if (target.kind === "missing") {
      diagnostics.push(diag("MM2003", imp.path.span, { path: imp.path.value }, {
        hint: imp.path.value.startsWith("std/") ? "`mm list` shows the standard library" : "paths are relative to the importing file",
      }));
      return;
    }
    if (state.get(target.path) === "loading") {
      const i = stack.indexOf(target.path);
      const chain = [...stack.slice(i), target.path].map((p) => relative(process.cwd(), p) || p);
      diagnostics.push(diag("MM2004", imp.path.span, { cycle: chain.join(" -> ") }, {
        hint: "move the declarations both files need into a third file",
      }));
      return;
    }
    const imported = load(target.path, stack);
    if (!imported) return;
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

  const entries: string[] = [];
  for (const p of entryPaths) {
    const abs = resolve(p);
    entries.push(abs);
    load(abs, []);
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

type ImportTarget = { kind: "file"; path: string } | { kind: "missing" } | { kind: "escape"; root: string };

export function resolveImport(fromFile: string, spec: string, host: FileHost): ImportTarget {
  // Checked by the path as written and, symlinks resolved, by where it really is: a link
  // inside the project to /etc or another folder is an escape, refused before it is read.
  const real = (p: string): string => host.realpath?.(p) ?? p;
  if (spec.startsWith("std/")) {
    const p = resolve(STDLIB_ROOT, spec.slice(4));
    if (!isInside(p, STDLIB_ROOT) || !isInside(real(p), real(STDLIB_ROOT))) return { kind: "escape", root: STDLIB_ROOT };
    return host.isFile(p) ? { kind: "file", path: p } : { kind: "missing" };
  }
  const p = resolve(dirname(fromFile), spec);
  const root = projectRootOf(fromFile, host);
  const inside = (x: string, r: string): boolean => isInside(x, r) && isInside(real(x), real(r));
  if (!inside(p, root) && !inside(p, STDLIB_ROOT)) return { kind: "escape", root: relative(process.cwd(), root) || "." };
  return host.isFile(p) ? { kind: "file", path: p } : { kind: "missing" };
}

function isInside(p: string, root: string): boolean {
  const r = relative(root, p);
  return r === "" || (!r.startsWith("..") && !r.startsWith(sep) && !/^[A-Za-z]:/.test(r));
}

export type { FileAst };
