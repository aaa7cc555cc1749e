// The language server as an editor drives it: `mm lsp` spawned, spoken to over stdio with
// vscode-jsonrpc. A stdlib file is opened, edited into an error and back, and the answers
// are checked: diagnostics, hover shapes, inlay hints, definitions into another stdlib file,
// document symbols, completion and formatting.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from "vscode-jsonrpc/node.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CLIP = join(ROOT, "stdlib", "models", "clip.mm");
const URI = pathToFileURL(CLIP).href;
const TEXT = readFileSync(CLIP, "utf8");

interface Diag { code: string; message: string; range: { start: { line: number; character: number } } }

let server: ChildProcessWithoutNullStreams;
let conn: MessageConnection;
const published: { uri: string; diagnostics: Diag[] }[] = [];
let version = 1;

/** The position of the `nth` occurrence of `needle` (+ `into` characters). */
function pos(text: string, needle: string, into = 0, nth = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`no '${needle}' in the text`);
  const before = text.slice(0, at + into);
  return { line: before.split("\n").length - 1, character: before.length - before.lastIndexOf("\n") - 1 };
}

/** The next diagnostics published for the file after `send` runs. */
async function diagnosticsAfter(send: () => Promise<void> | void): Promise<Diag[]> {
  const seen = published.length;
  await send();
  for (let i = 0; i < 600; i++) {
    const hit = published.slice(seen).find((p) => p.uri === URI);
    if (hit) return hit.diagnostics;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("no diagnostics published within 15 s");
}

beforeAll(async () => {
  server = spawn(process.execPath, [join(ROOT, "bin", "mm.js"), "lsp", "--stdio"], { cwd: ROOT });
  conn = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: Diag[] }) => published.push(p));
  conn.listen();
  const init = await conn.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(ROOT).href, capabilities: {} }) as { capabilities: Record<string, unknown> };
  expect(init.capabilities.hoverProvider).toBe(true);
  await conn.sendNotification("initialized", {});
}, 30_000);

afterAll(async () => {
  await conn.sendRequest("shutdown").catch(() => undefined);
  await conn.sendNotification("exit").catch(() => undefined);
  conn.dispose();
  server.kill();
});

describe("mm lsp", () => {
  it("publishes no diagnostics for a clean stdlib file, an error after an edit, none after undoing it", async () => {
    const open = await diagnosticsAfter(() => conn.sendNotification("textDocument/didOpen", { textDocument: { uri: URI, languageId: "mm", version, text: TEXT } }));
    expect(open).toEqual([]);
    // patch: 32 → 31 in CLIP_ViT_B32's vision tower: 224 is no multiple of 31.
    const at = pos(TEXT, "patch: 32", "patch: ".length);
    const edit = (text: string) => ({ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text });
    const broken = await diagnosticsAfter(() => conn.sendNotification("textDocument/didChange", { textDocument: { uri: URI, version: ++version }, contentChanges: [edit("31")] }));
    expect(broken.map((d) => d.code)).toContain("MM3005");
    expect(broken.find((d) => d.code === "MM3005")!.message).toMatch(/hint: /);
    const fixed = await diagnosticsAfter(() => conn.sendNotification("textDocument/didChange", { textDocument: { uri: URI, version: ++version }, contentChanges: [edit("32")] }));
    expect(fixed).toEqual([]);
  }, 60_000);

  it("hovers a let with its shapes in the file's models, and a component with its block and size", async () => {
    const h = await conn.sendRequest("textDocument/hover", { textDocument: { uri: URI }, position: pos(TEXT, "let text_embeds", 6) }) as { contents: { value: string } };
    expect(h.contents.value).toContain("**text_embeds**, by model:");
    expect(h.contents.value).toContain("- `[B, 512]` in CLIP_ViT_B32, CLIP_ViT_B16\n");
    expect(h.contents.value).toContain("- `[B, 32]` in CLIP_ViT_B32_Tiny, CLIP_ViT_B16_Tiny\n");
    const c = await conn.sendRequest("textDocument/hover", { textDocument: { uri: URI }, position: pos(TEXT, "vision_model(pixel_values)", 2) }) as { contents: { value: string } };
    expect(c.contents.value).toMatch(/\*\*vision_model\*\*: tower `CLIPVisionTransformer`, 87,456,000 parameters/);
  }, 60_000);

  it("shows shapes as inlay hints after let bindings", async () => {
    const hints = await conn.sendRequest("textDocument/inlayHint", { textDocument: { uri: URI }, range: { start: { line: 0, character: 0 }, end: { line: 400, character: 0 } } }) as { position: { line: number }; label: string }[];
    const line = pos(TEXT, "let logits_per_text").line;
    expect(hints.filter((h) => h.position.line === line).map((h) => h.label)).toEqual([": [B, B]"]);
  });

  it("goes to a block's definition in another stdlib file", async () => {
    const loc = await conn.sendRequest("textDocument/definition", { textDocument: { uri: URI }, position: pos(TEXT, "CLIPVisionTransformer(", 3) }) as { uri: string; range: { start: { line: number } } };
    expect(loc.uri).toBe(pathToFileURL(join(ROOT, "stdlib", "towers", "vit.mm")).href);
    const vit = readFileSync(join(ROOT, "stdlib", "towers", "vit.mm"), "utf8");
    expect(loc.range.start.line).toBe(pos(vit, "tower CLIPVisionTransformer").line);
  });

  it("lists the file's declarations and their items as symbols", async () => {
    const syms = await conn.sendRequest("textDocument/documentSymbol", { textDocument: { uri: URI } }) as { name: string; children?: { name: string }[] }[];
    expect(syms.map((s) => s.name)).toContain("CLIP_ViT_B32_Tiny");
    expect(syms.find((s) => s.name === "CLIP_ViT_B32")!.children!.map((c) => c.name)).toEqual(expect.arrayContaining(["vision_model", "text_model", "logit_scale", "forward"]));
  });

  it("completes blocks, ops and the declaration's own names", async () => {
    const items = await conn.sendRequest("textDocument/completion", { textDocument: { uri: URI }, position: pos(TEXT, "let text_embeds", 4) }) as { label: string; detail?: string }[];
    const labels = items.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(["CLIPVisionTransformer", "Linear", "attention", "vision_model", "embed", "forward"]));
    expect(items.find((i) => i.label === "Linear")!.detail).toMatch(/^block Linear\(in_features, out_features/);
  });

  it("answers the extension's summary and diagram requests for the model under the cursor", async () => {
    const position = pos(TEXT, "model CLIP_ViT_B32_Tiny", 8);
    const summary = await conn.sendRequest("mm/summary", { uri: URI, position }) as { model: string; text: string };
    expect(summary.model).toBe("CLIP_ViT_B32_Tiny");
    expect(summary.text).toMatch(/vision_model/);
    const diagram = await conn.sendRequest("mm/diagram", { uri: URI, position }) as { model: string; svg: string };
    expect(diagram.model).toBe("CLIP_ViT_B32_Tiny");
    expect(diagram.svg).toMatch(/<svg[\s\S]*vision_model[\s\S]*<\/svg>\s*$/);
  }, 60_000);

  it("offers the hint's replacement as a quick fix, and renames a block and a local everywhere they are meant", async () => {
    const uri = pathToFileURL(join(ROOT, "scratch-lsp-edit.mm")).href;
    const text = [
      'import "std/nn/layers.mm"',
      "block Res(width: Int, hidden: Int = 4 * width) {",
      "  fc1 = Linaer(width, hidden)",
      "  fc2 = Linear(hidden, width, bias: true)",
      "  forward(x: [B, width]) -> [B, width] {",
      "    let h = fc1(x)",
      "    return x + fc2(gelu(h)) + h.T.T",
      "  }",
      "}",
      "model M {",
      "  res = Res(8, hidden: 16)",
      "  input x: [B, 8]",
      "  forward { output y = res(x) }",
      "}",
      "",
    ].join("\n");
    const seen = published.length;
    await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "mm", version: 1, text } });
    let diags: (Diag & { data?: unknown })[] | undefined;
    for (let i = 0; i < 600 && !diags; i++) {
      diags = published.slice(seen).find((p) => p.uri === uri)?.diagnostics;
      if (!diags) await new Promise((r) => setTimeout(r, 25));
    }
    const typo = diags!.find((d) => d.code === "MM2001")!;
    expect(typo.message).toMatch(/hint: did you mean `Linear`\?/);
    const actions = await conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range: typo.range, context: { diagnostics: [typo] } }) as { title: string; edit: { changes: Record<string, { newText: string; range: Diag["range"] }[]> } }[];
    expect(actions.map((a) => a.title)).toEqual(["Replace with 'Linear'"]);
    expect(actions[0]!.edit.changes[uri]).toEqual([{ range: typo.range, newText: "Linear" }]);

    type Edits = { changes: Record<string, { range: { start: { line: number; character: number } }; newText: string }[]> };
    const lines = (e: Edits, u: string): number[] => e.changes[u]!.map((c) => c.range.start.line).sort((a, b) => a - b);
    // A local: its let and uses, not `h.T`'s member nor another block's argument names.
    const local = await conn.sendRequest("textDocument/rename", { textDocument: { uri }, position: pos(text, "let h", 4), newName: "hid" }) as Edits;
    expect(lines(local, uri)).toEqual([5, 6, 6]);
    // A block parameter: its declaration and uses in the block; `hidden: 16` at the call site names it too, in the model.
    const param = await conn.sendRequest("textDocument/rename", { textDocument: { uri }, position: pos(text, "hidden: Int", 1), newName: "inner" }) as Edits;
    expect(lines(param, uri)).toEqual([1, 2, 3, 10]);
    // A block: its declaration and the model's instantiation.
    const block = await conn.sendRequest("textDocument/rename", { textDocument: { uri }, position: pos(text, "block Res", 7), newName: "Residual" }) as Edits;
    expect(lines(block, uri)).toEqual([1, 10]);
    type Loc = { uri: string; range: { start: { line: number } } };
    const refs = (includeDeclaration: boolean): Promise<Loc[]> => conn.sendRequest("textDocument/references", { textDocument: { uri }, position: pos(text, "Res(8", 1), context: { includeDeclaration } }) as Promise<Loc[]>;
    expect((await refs(true)).map((l) => l.range.start.line)).toEqual([1, 10]);
    expect((await refs(false)).map((l) => l.range.start.line)).toEqual([10]);
    await conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }, 60_000);

  it("completes a call's argument names with their types and defaults, and hovers a component's frozen stages", async () => {
    const uri = pathToFileURL(join(ROOT, "scratch-lsp-args.mm")).href;
    const text = [
      'import "std/nn/layers.mm"',
      "model M {",
      "  enc = Linear(8, 8)",
      "  head = Linear(8, 2, )",
      "  input x: [B, 8]",
      "  forward { output y = head(enc(x)) }",
      "  stage probe { train: head  freeze: enc }",
      "  stage tune { freeze: head }",
      "}",
      "",
    ].join("\n");
    await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "mm", version: 1, text } });
    const items = await conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: pos(text, "Linear(8, 2, ", 13) }) as { label: string; detail?: string }[];
    expect(items.slice(0, 3).map((i) => `${i.label} ${i.detail}`)).toEqual(["in_features: Int", "out_features: Int", "bias: Bool = true"]);
    const hints = await conn.sendRequest("textDocument/inlayHint", { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } }) as { position: { line: number; character: number }; label: string }[];
    expect(hints.map((h) => `${h.position.line}:${h.position.character}${h.label}`)).toEqual([
      `5:${pos(text, "head(enc(x))").character + "head(enc(x)".length}: [B, 8]`, `5:${pos(text, "head(enc(x))").character + "head(enc(x))".length}: [B, 2]`,
    ]);
    const inStage = await conn.sendRequest("textDocument/completion", { textDocument: { uri }, position: pos(text, "freeze: enc", 8) }) as { label: string; detail?: string }[];
    expect(inStage.filter((i) => i.detail === "component").map((i) => i.label)).toEqual(["enc", "head"]);
    expect(items.filter((i) => i.detail === "symbolic dim").map((i) => i.label)).toEqual(["B"]);
    const h = await conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: pos(text, "head(enc", 6) }) as { contents: { value: string } };
    expect(h.contents.value).toBe("**enc**: block `Linear`, 72 parameters; frozen in stage probe");
    // Semantic tokens: decoded from LSP's relative encoding, each with its text.
    const init = await conn.sendRequest("textDocument/semanticTokens/full", { textDocument: { uri } }) as { data: number[] };
    const legend = ["class", "enum", "type", "typeParameter", "parameter", "property", "variable", "function", "keyword", "number", "string", "comment"];
    const lines = text.split("\n");
    const decoded: string[] = [];
    for (let i = 0, line = 0, ch = 0; i < init.data.length; i += 5) {
      line += init.data[i]!;
      ch = init.data[i]! === 0 ? ch + init.data[i + 1]! : init.data[i + 1]!;
      decoded.push(`${lines[line]!.slice(ch, ch + init.data[i + 2]!)}=${legend[init.data[i + 3]!]}`);
    }
    expect(decoded.slice(0, 12)).toEqual([
      "import=keyword", '"std/nn/layers.mm"=string', "model=keyword", "M=class", "enc=property", "Linear=class", "8=number", "8=number",
      "head=property", "Linear=class", "8=number", "2=number",
    ]);
    expect(decoded).toEqual(expect.arrayContaining(["input=keyword", "B=typeParameter", "stage=keyword", "train=variable"]));
    await conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }, 60_000);

  it("finds declarations across the stdlib by name, and fixes a value to the nearest valid one", async () => {
    const found = await conn.sendRequest("workspace/symbol", { query: "CLIPVisionTrans" }) as { name: string; location: { uri: string } }[];
    expect(found.map((f) => [f.name, f.location.uri.endsWith("stdlib/towers/vit.mm")])).toContainEqual(["CLIPVisionTransformer", true]);
    expect(found.every((f) => f.name.includes("CLIPVisionTrans"))).toBe(true);
    const uri = pathToFileURL(join(ROOT, "scratch-lsp-near.mm")).href;
    const text = 'import "std/towers/vit.mm"\nmodel M {\n  vision = CLIPVisionTransformer(image: 225, patch: 32)\n  input x: [B, 3, 225, 225]\n  forward { output y = vision(x).pooler_output }\n}\n';
    const seen = published.length;
    await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "mm", version: 1, text } });
    let diags: Diag[] | undefined;
    for (let i = 0; i < 600 && !diags; i++) {
      diags = published.slice(seen).find((p) => p.uri === uri)?.diagnostics;
      if (!diags) await new Promise((r) => setTimeout(r, 25));
    }
    const bad = diags!.find((d) => d.code === "MM3005")!;
    const actions = await conn.sendRequest("textDocument/codeAction", { textDocument: { uri }, range: bad.range, context: { diagnostics: [bad] } }) as { title: string; edit: { changes: Record<string, { newText: string; range: { start: { line: number; character: number } } }[]> } }[];
    expect(actions.map((a) => a.title)).toEqual(["Set image to 224", "Set image to 256"]);
    expect(actions[0]!.edit.changes[uri]![0]!.range.start).toEqual(pos(text, "image: ", 7));
    await conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }, 60_000);

  it("formats a document as mm fmt does", async () => {
    const uri = pathToFileURL(join(ROOT, "scratch-lsp.mm")).href;
    await conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "mm", version: 1, text: "model  M {\ninput x: [B, 2]\n  forward { output y = x }\n}\n" } });
    const edits = await conn.sendRequest("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }) as { newText: string }[];
    expect(edits.map((e) => e.newText)).toEqual(["model M {\n  input x: [B, 2]\n  forward {\n    output y = x\n  }\n}\n"]);
    await conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  });
});

describe("mm lsp's settings", () => {
  it("gives no inlay hints when the client's initializationOptions turn them off", async () => {
    const s = spawn(process.execPath, [join(ROOT, "bin", "mm.js"), "lsp"], { cwd: ROOT });
    const c = createMessageConnection(new StreamMessageReader(s.stdout), new StreamMessageWriter(s.stdin));
    c.listen();
    try {
      await c.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: { inlayHints: { lets: false, calls: false } } });
      await c.sendNotification("initialized", {});
      await c.sendNotification("textDocument/didOpen", { textDocument: { uri: URI, languageId: "mm", version: 1, text: TEXT } });
      const hints = await c.sendRequest("textDocument/inlayHint", { textDocument: { uri: URI }, range: { start: { line: 0, character: 0 }, end: { line: 400, character: 0 } } });
      expect(hints).toEqual([]);
    } finally {
      c.dispose();
      s.kill();
    }
  }, 60_000);
});
