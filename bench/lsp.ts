// The language server's edit-to-diagnostics round trip on a 5,000-line file: `mm lsp` is
// spawned as an editor would, the file opened, then edited a character at a time; each round
// is timed from the didChange notification to the publishDiagnostics that follows it
// (including the server's 30 ms debounce). Baseline, in the same run: checking the same text
// in-process from a fresh session (what every keystroke would cost without the caches).
// Run: npm run bench:lsp [-- --edits N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";
import { Session } from "../compiler/driver/session.js";
import { diskHost, type FileHost } from "../compiler/resolve/host.js";
import { median, time } from "./timing.js";

const editsArg = process.argv.indexOf("--edits");
const edits = editsArg > 0 ? Number(process.argv[editsArg + 1]) : 25;
const ROOT = join(fileURLToPath(import.meta.url), "..", "..", "..");

/** 200 blocks of a few layers each and 40 models over them: 5,000-odd lines. */
function bigFile(): string {
  const out = ['import "std/nn/layers.mm"', 'import "std/nn/mlp.mm"', ""];
  for (let i = 0; i < 200; i++) {
    out.push(
      `## Block ${i}: a residual MLP with a norm.`,
      `block Res${i}(width: Int = 64, hidden: Int = 4 * width) {`,
      "  norm = LayerNorm(width)",
      "  fc1 = Linear(width, hidden)",
      "  fc2 = Linear(hidden, width)",
      "  param gamma: [width] init ones",
      "  forward(x: [B, T, width]) -> [B, T, width] {",
      "    let h = fc1(norm(x))",
      "    let a = gelu(h)",
      "    let y = fc2(a) * gamma",
      "    return x + y",
      "  }",
      "}",
      "",
      ...Array.from({ length: 8 }, (_, k) => `# note ${i}.${k}: nothing but lines an editor has to carry`),
      "",
    );
  }
  for (let m = 0; m < 40; m++) {
    out.push(`model Net${m}(width: Int = ${32 + m}) {`);
    for (let j = 0; j < 5; j++) out.push(`  l${j} = Res${m * 5 + j}(width)`);
    out.push("  head = Linear(width, 10)", "  input x: [B, T, width]", "  forward {", "    let h = l4(l3(l2(l1(l0(x)))))",
      "    output logits = head(h[:, 0])", "  }", "}", "", ...Array.from({ length: 8 }, () => "# ----"), "");
  }
  return out.join("\n");
}

const dir = mkdtempSync(join(tmpdir(), "mm-bench-lsp-"));
const file = join(dir, "big.mm");
const text = bigFile();
writeFileSync(file, text);
writeFileSync(join(dir, "package.json"), "{}\n");
const uri = pathToFileURL(file).href;
const lines = text.split("\n").length;

// Baseline: a fresh session checks the edited text.
const baseline: number[] = [];
for (let i = 0; i < 5; i++) {
  const host: FileHost = { ...diskHost, read: (p) => (p === file ? `${text}\n# ${i}\n` : diskHost.read(p)) };
  baseline.push(time(() => void new Session(host).checkFiles([file]), 1));
}

const server = spawn(process.execPath, [join(ROOT, "bin", "mm.js"), "lsp", "--stdio"], { cwd: dir });
const conn = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
let waiting: ((n: number) => void) | undefined;
conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: { code: string }[] }) => {
  if (p.uri === uri) waiting?.(p.diagnostics.length);
});
conn.listen();
await conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {} });
await conn.sendNotification("initialized", {});
const next = (): Promise<number> => new Promise((r) => (waiting = r));
let p = next();
await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "mm", version: 1, text } });
const first = await p;
if (first !== 0) throw new Error(`the generated file has ${first} diagnostics`);

// Each edit changes one block's hidden width default (4 → 3 → 4 ...): a real change, re-checked.
const at = text.indexOf("hidden: Int = 4 * width");
const pos = { line: text.slice(0, at).split("\n").length - 1, character: at - text.lastIndexOf("\n", at) - 1 + "hidden: Int = ".length };
const rounds: number[] = [];
for (let i = 0; i < edits; i++) {
  p = next();
  const t0 = performance.now();
  await conn.sendNotification("textDocument/didChange", {
    textDocument: { uri, version: i + 2 },
    contentChanges: [{ range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, text: i % 2 === 0 ? "3" : "4" }],
  });
  await p;
  rounds.push(performance.now() - t0);
}
await conn.sendRequest("shutdown");
await conn.sendNotification("exit");
conn.dispose();
server.kill();
rmSync(dir, { recursive: true, force: true });

const lsp = median(rounds.slice(1));
const full = median(baseline);
console.log(`file: ${lines} lines, 200 blocks, 40 models`);
console.log(`edit -> diagnostics through mm lsp: median ${lsp.toFixed(1)} ms (min ${Math.min(...rounds).toFixed(1)}, max ${Math.max(...rounds).toFixed(1)}) over ${rounds.length - 1} edits, 30 ms debounce included`);
console.log(`baseline, a fresh in-process check of the same text: median ${full.toFixed(1)} ms`);
console.log(`ratio lsp / fresh check: ${(lsp / full).toFixed(2)}`);
