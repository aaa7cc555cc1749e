// `mm lsp`: the language server, on stdin and stdout (what editors start: VS Code's client,
// Neovim's lspconfig, Helix). It runs until the client sends `exit` or closes the pipe. The
// server and vscode-languageserver load only here, so other commands start as fast as before.
import type { Command } from "./command.js";
import { EXIT, UsageError } from "./io.js";

export const lsp: Command = {
  name: "lsp", usage: "lsp [--stdio]", summary: "the language server (LSP over stdio): diagnostics, hover shapes, definitions, symbols, completion, formatting, inlay hints",
  options: { stdio: { type: "boolean", doc: "talk LSP on stdin/stdout (the default and only transport)" } },
  async: true,
  async run(ctx) {
    if (ctx.positionals.length > 0) throw new UsageError("lsp: takes no files; the editor opens them");
    const [{ createConnection, StreamMessageReader, StreamMessageWriter }, { serve }] = await Promise.all([
      import("vscode-languageserver/node.js"), import("../lsp/server.js"),
    ]);
    const connection = createConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
    return new Promise<number>((done) => {
      connection.onExit(() => done(EXIT.ok));
      process.stdin.on("close", () => done(EXIT.ok));
      serve(connection);
    });
  },
};
