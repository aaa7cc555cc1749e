// `mm lsp`: the language server over stdio (vscode-languageserver). It keeps the open
// documents in a Workspace and answers from the modules beside it; this file only converts
// between LSP's positions and the compiler's offsets and spans (the answers: query.ts, hover.ts,
// navigate.ts, complete.ts, decorate.ts). Diagnostics are published for
// every open document after each edit (an edit to one file can change another's), at most
// once per DEBOUNCE_MS of typing.
import { pathToFileURL, fileURLToPath } from "node:url";
import {
  CodeActionKind, CompletionItemKind, DiagnosticSeverity, ErrorCodes, ResponseError, SemanticTokensBuilder, InlayHintKind, SymbolKind, TextDocumentSyncKind, TextDocuments,
  type Connection, type Diagnostic as LspDiagnostic, type DocumentSymbol, type Range,
} from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../ast/ast.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { formatText } from "../tools/fmt/index.js";
import { completion, type CompletionInfo } from "./complete.js";
import { inlayHints, quickFixes, semanticTokens, SEMANTIC_TYPES, type HintOptions } from "./decorate.js";
import { hover } from "./hover.js";
import { definition, occurrences, symbols, type SymbolInfo } from "./navigate.js";
import { modelAt } from "./query.js";
import { lex } from "../../grammar/lex.js";
import { isName, Tok } from "../../grammar/tokens.js";
import { summarize } from "../tools/summary/summary.js";
import { renderSummary } from "../tools/summary/render.js";
import { buildDiagram } from "../tools/graph/diagram.js";
import { toDot } from "../tools/graph/dot.js";
import { layoutSvg } from "../tools/graph/render.js";
import { Workspace } from "./workspace.js";

const DEBOUNCE_MS = 30;

const SYMBOL_KIND: Readonly<Record<SymbolInfo["kind"], SymbolKind>> = {
  model: SymbolKind.Class, block: SymbolKind.Class, enum: SymbolKind.Enum, component: SymbolKind.Field, param: SymbolKind.Property,
  let: SymbolKind.Constant, forward: SymbolKind.Method, input: SymbolKind.Variable, task: SymbolKind.Event, stage: SymbolKind.Event,
  layout: SymbolKind.Namespace,
};
const COMPLETION_KIND: Readonly<Record<CompletionInfo["kind"], CompletionItemKind>> = {
  block: CompletionItemKind.Class, model: CompletionItemKind.Module, enum: CompletionItemKind.Enum, op: CompletionItemKind.Function,
  keyword: CompletionItemKind.Keyword, local: CompletionItemKind.Variable, argument: CompletionItemKind.Field,
  path: CompletionItemKind.Reference, dim: CompletionItemKind.TypeParameter,
};

/** Serves `connection` until it closes. */
export function serve(connection: Connection): void {
  const ws = new Workspace();
  const documents = new TextDocuments(TextDocument);
  const pathOf = (uri: string): string => (uri.startsWith("file:") ? fileURLToPath(uri) : uri);
  const uriOf = (path: string): string => pathToFileURL(path).href;
  const docFor = (path: string): TextDocument => documents.get(uriOf(path)) ?? TextDocument.create(uriOf(path), "mm", 0, ws.text(path) ?? "");
  const range = (s: Span): Range => {
    const d = docFor(s.file);
    return { start: d.positionAt(s.start), end: d.positionAt(s.end) };
  };
  const toLsp = (d: Diagnostic): LspDiagnostic => ({
    range: range(d.span), severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, code: d.code, source: "mm",
    message: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message,
    ...withFix(d),
    ...(d.related.length ? { relatedInformation: d.related.map((r) => ({ location: { uri: uriOf(r.span.file), range: range(r.span) }, message: r.message })) } : {}),
  });

  // A hint that names an edit (a name it suggests, the nearest valid values) becomes quick fixes.
  const withFix = (d: Diagnostic): { data?: { fixes: { title: string; range: Range; text: string }[] } } => {
    const text = ws.text(d.span.file)?.slice(d.span.start, d.span.end) ?? "";
    const fixes = quickFixes(d.hint, text).map((f) => ({ title: f.title, range: range({ file: d.span.file, start: d.span.start + f.start, end: d.span.start + f.end }), text: f.text }));
    return fixes.length ? { data: { fixes } } : {};
  };
  const tokensOf = (path: string): ReturnType<Parameters<typeof occurrences>[3]> => {
    const text = ws.text(path);
    if (text === undefined) return undefined;
    const t = lex(path, text).tokens;
    const image = (i: number): string => (i >= 0 && i < t.count ? text.slice(t.start[i]!, t.end[i]!) : "");
    const ids: { start: number; end: number; next: string; prev: string }[] = [];
    for (let i = 0; i < t.count; i++) if (isName(t.kind[i]! as Tok)) ids.push({ start: t.start[i]!, end: t.end[i]!, next: image(i + 1), prev: image(i - 1) });
    return { text, ids };
  };

  let timer: NodeJS.Timeout | undefined;
  const publish = (): void => {
    for (const path of ws.openFiles) {
      const { diagnostics } = ws.check(path);
      void connection.sendDiagnostics({ uri: uriOf(path), diagnostics: diagnostics.filter((d) => d.span.file === path).map(toLsp) });
    }
  };
  const changed = (doc: TextDocument): void => {
    ws.set(pathOf(doc.uri), doc.getText());
    clearTimeout(timer);
    timer = setTimeout(publish, DEBOUNCE_MS);
  };
  documents.onDidOpen((e) => changed(e.document));
  documents.onDidChangeContent((e) => changed(e.document));
  documents.onDidClose((e) => {
    ws.close(pathOf(e.document.uri));
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const at = (uri: string, pos: { line: number; character: number }): { path: string; text: string; offset: number } => {
    const doc = documents.get(uri)!;
    return { path: pathOf(uri), text: doc.getText(), offset: doc.offsetAt(pos) };
  };

  let hints: HintOptions = {};
  connection.onInitialize((p) => {
    hints = (p.initializationOptions as { inlayHints?: HintOptions } | undefined)?.inlayHints ?? {};
    return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true, definitionProvider: true, documentSymbolProvider: true, documentFormattingProvider: true,
      completionProvider: { triggerCharacters: ["."] }, inlayHintProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] }, renameProvider: { prepareProvider: true },
      semanticTokensProvider: { legend: { tokenTypes: [...SEMANTIC_TYPES], tokenModifiers: [] }, full: true },
      referencesProvider: true, workspaceSymbolProvider: true,
    },
    serverInfo: { name: "mm", version: "0.1.0" },
    };
  });
  connection.onHover((p) => {
    const { path, text, offset } = at(p.textDocument.uri, p.position);
    const value = hover(ws.analyze(path), text, offset);
    return value === undefined ? null : { contents: { kind: "markdown", value } };
  });
  connection.onDefinition((p) => {
    const { path, text, offset } = at(p.textDocument.uri, p.position);
    const s = definition(ws.analyze(path), text, offset);
    return s === undefined ? null : { uri: uriOf(s.file), range: range(s) };
  });
  connection.onDocumentSymbol((p) => {
    const scope = ws.analyze(pathOf(p.textDocument.uri)).scope;
    const conv = (s: SymbolInfo): DocumentSymbol => ({
      name: s.name, kind: SYMBOL_KIND[s.kind], range: range(s.span), selectionRange: range(s.selection),
      ...(s.detail ? { detail: s.detail } : {}), children: s.children.map(conv),
    });
    return scope ? symbols(scope).map(conv) : [];
  });
  connection.onCompletion((p) => {
    const { path, text, offset } = at(p.textDocument.uri, p.position);
    return completion(ws.analyze(path), offset, text).map((c) => ({ label: c.label, kind: COMPLETION_KIND[c.kind], ...(c.detail ? { detail: c.detail } : {}) }));
  });
  connection.onDocumentFormatting((p) => {
    const doc = documents.get(p.textDocument.uri)!;
    const r = formatText(pathOf(doc.uri), doc.getText());
    if (!r.ok || !r.changed) return [];
    return [{ range: { start: doc.positionAt(0), end: doc.positionAt(doc.getText().length) }, newText: r.text }];
  });
  connection.languages.inlayHint.on((p) => {
    const doc = documents.get(p.textDocument.uri)!;
    return inlayHints(ws.analyze(pathOf(doc.uri)), hints).map((h) => ({ position: doc.positionAt(h.offset), label: h.label, kind: InlayHintKind.Type }));
  });

  connection.onCodeAction((p) => p.context.diagnostics.flatMap((d) => {
    const fixes = (d.data as { fixes?: { title: string; range: Range; text: string }[] } | undefined)?.fixes ?? [];
    return fixes.map((f, i) => ({ title: f.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: i === 0,
      edit: { changes: { [p.textDocument.uri]: [{ range: f.range, newText: f.text }] } } }));
  }));
  connection.onReferences((p) => {
    const { path, text, offset } = at(p.textDocument.uri, p.position);
    const a = ws.analyze(path);
    const o = occurrences(a, text, offset, tokensOf);
    const decl = definition(a, text, offset);
    const spans = (o?.spans ?? []).filter((s) => p.context.includeDeclaration || !(decl && s.file === decl.file && s.start === decl.start));
    return spans.map((s) => ({ uri: uriOf(s.file), range: range(s) }));
  });
  connection.onWorkspaceSymbol((p) => {
    const q = p.query.toLowerCase();
    const session = ws.session();
    const scopes = [session.stdlib(), ...ws.openFiles.map((f) => session.load([f]))].flatMap((prog) => [...prog.files.values()]);
    const seen = new Set<string>();
    return scopes.flatMap((sc) => sc.ast.decls.flatMap((d) => {
      const key = `${sc.path}#${d.name.name}`;
      if (seen.has(key) || !d.name.name.toLowerCase().includes(q)) return [];
      seen.add(key);
      const kind = d.kind === "Enum" ? SymbolKind.Enum : SymbolKind.Class;
      return [{ name: d.name.name, kind, location: { uri: uriOf(sc.path), range: range(d.name.span) }, containerName: sc.path.split("/").slice(-2).join("/") }];
    })).slice(0, 500);
  });
  connection.onPrepareRename((p) => {
    const { path, text, offset } = at(p.textDocument.uri, p.position);
    const o = occurrences(ws.analyze(path), text, offset, tokensOf);
    const here = o?.spans.find((s) => s.file === path && s.start <= offset && offset <= s.end);
    return here ? range(here) : null;
  });
  connection.onRenameRequest((p) => {
    const { path, text, offset } = at(p.textDocument.uri, p.position);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.newName)) throw new ResponseError(ErrorCodes.InvalidParams, `'${p.newName}' is not a name`);
    const o = occurrences(ws.analyze(path), text, offset, tokensOf);
    if (!o) return null;
    const changes: Record<string, { range: Range; newText: string }[]> = {};
    for (const s of o.spans) (changes[uriOf(s.file)] ??= []).push({ range: range(s), newText: p.newName });
    return { changes };
  });

  connection.languages.semanticTokens.on((p) => {
    const doc = documents.get(p.textDocument.uri)!;
    const text = doc.getText();
    const lexed = lex(pathOf(doc.uri), text).tokens;
    const tokens = Array.from({ length: lexed.count }, (_, i) => ({ kind: lexed.kind[i]! as Tok, start: lexed.start[i]!, end: lexed.end[i]!, image: text.slice(lexed.start[i]!, lexed.end[i]!) }));
    const builder = new SemanticTokensBuilder();
    for (const t of semanticTokens(ws.analyze(pathOf(doc.uri)), tokens, lexed.comments)) {
      // One entry per line: a comment or string never spans lines in mm.
      const at = doc.positionAt(t.start);
      builder.push(at.line, at.character, t.end - t.start, SEMANTIC_TYPES.indexOf(t.type), 0);
    }
    return builder.build();
  });

  // The extension's commands: the summary and the diagram of the model under the cursor.
  connection.onRequest("mm/summary", (p: { uri: string; position: { line: number; character: number } }) => {
    const { path, offset } = at(p.uri, p.position);
    const m = modelAt(ws.analyze(path), offset);
    if (!m?.graph) return null;
    return { model: m.model.name, text: renderSummary(summarize(m.model, m.graph, new Map(), 1)) };
  });
  connection.onRequest("mm/diagram", (p: { uri: string; position: { line: number; character: number } }) => {
    const { path, offset } = at(p.uri, p.position);
    const m = modelAt(ws.analyze(path), offset);
    if (!m?.graph) return null;
    return { model: m.model.name, svg: layoutSvg(toDot(buildDiagram(m.model, m.graph, "block"))) };
  });

  documents.listen(connection);
  connection.listen();
}
