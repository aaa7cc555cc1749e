// The VS Code client: starts `mm lsp` (the `mm.path` setting) for .mm files, and two commands
// that show the model under the cursor in a webview, from the server's `mm/diagram` (an SVG
// laid out by Graphviz) and `mm/summary` (the `mm summary` table). Bundled by
// scripts/package-vscode.mjs into dist/extension.js; `vscode` is the editor's own module.
import * as vscode from "vscode";
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const command = vscode.workspace.getConfiguration("mm").get<string>("path", "mm");
  const run = command.endsWith(".js") ? { command: process.execPath, args: [command, "lsp", "--stdio"] } : { command, args: ["lsp", "--stdio"] };
  const serverOptions: ServerOptions = { run: { ...run, transport: TransportKind.stdio }, debug: { ...run, transport: TransportKind.stdio } };
  const settings = vscode.workspace.getConfiguration("mm");
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", language: "mm" }, { scheme: "untitled", language: "mm" }],
    initializationOptions: { inlayHints: { lets: settings.get<boolean>("inlayHints.shapes", true), calls: settings.get<boolean>("inlayHints.calls", true) } },
  };
  client = new LanguageClient("mm", "mm language server", serverOptions, clientOptions);
  await client.start();

  const show = (method: string, title: string, body: (r: Record<string, string>) => string) => async (): Promise<void> => {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== "mm" || !client) return;
    const r = await client.sendRequest<Record<string, string> | null>(method, { uri: editor.document.uri.toString(), position: editor.selection.active });
    if (!r) {
      void vscode.window.showWarningMessage("mm: no model in this file checks yet");
      return;
    }
    const panel = vscode.window.createWebviewPanel(`mm.${method}`, `${title}: ${r.model}`, vscode.ViewColumn.Beside, {});
    panel.webview.html = `<!doctype html><meta charset="utf-8"><body style="margin:0">${body(r)}</body>`;
  };
  const escape = (s: string): string => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
  context.subscriptions.push(
    vscode.commands.registerCommand("mm.showDiagram", show("mm/diagram", "Diagram", (r) => r.svg!)),
    vscode.commands.registerCommand("mm.showSummary", show("mm/summary", "Summary", (r) => `<pre>${escape(r.text!)}</pre>`)),
  );
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
