// What an import can make the loader do, bounded: a FIFO or a folder is refused before it is
// opened (reading a FIFO blocks forever), a file over the size budget is not read, a program
// may load a bounded number of files, a chain of thousands of imports is no deeper for the
// loader than a chain of two, and a folder that links to itself is listed once.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../compiler/base/limits.js";
import { Session } from "../../compiler/driver/session.js";
import { listMmFiles } from "../../compiler/resolve/host.js";

const dir = mkdtempSync(join(tmpdir(), "mm-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function proj(name: string, files: Record<string, string>): string {
  const root = join(dir, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "mm.json"), "{}");
  for (const [k, v] of Object.entries(files)) {
    mkdirSync(join(root, k, ".."), { recursive: true });
    writeFileSync(join(root, k), v);
  }
  return root;
}

const block = (name: string, imports = ""): string => `${imports}block ${name}(w: Int = 2) {\n  forward(x: [B, w]) -> [B, w] { return x }\n}\n`;

describe("hostile files", () => {
  it("refuses to import a FIFO or a folder, without opening it", () => {
    const root = proj("special", { "main.mm": 'import "pipe.mm"\nimport "folder.mm"\n' });
    execFileSync("mkfifo", [join(root, "pipe.mm")]);
    mkdirSync(join(root, "folder.mm"));
    const r = new Session().checkFiles([join(root, "main.mm")]);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "MM2005 import 'pipe.mm' is a folder, device or pipe, not a source file",
      "MM2005 import 'folder.mm' is a folder, device or pipe, not a source file",
    ]);
  });

  it("does not read a file over the size budget", () => {
    const root = proj("big", { "main.mm": 'import "big.mm"\n', "big.mm": `# ${"x".repeat(2000)}\n${block("Big")}` });
    const r = new Session(undefined, undefined, undefined, { ...DEFAULT_LIMITS, fileBytes: 1000 }).checkFiles([join(root, "main.mm")]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(["MM7006"]);
    expect([...r.sources.keys()].some((p) => p.endsWith("big.mm"))).toBe(false);
  });

  it("lexes a 10 MB string as one bad token, at its line, within a raised size budget", () => {
    const root = proj("string", { "main.mm": `${block("A")}\nimport "${"a".repeat(10_000_000)}"\n` });
    const s = new Session(undefined, undefined, undefined, { ...DEFAULT_LIMITS, fileBytes: 20_000_000 });
    const r = s.checkFiles([join(root, "main.mm")]);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["MM1001 a string of 10000002 characters; strings are at most 4096"]);
    expect(r.diagnostics[0]!.span.start).toBeGreaterThan(50); // line 5, not line 1
    expect(new Session().checkFiles([join(root, "main.mm")]).diagnostics.map((d) => d.code)).toEqual(["MM7006"]);
  });

  it("follows a chain of 3,000 imports without recursion, and stops at the files budget", () => {
    const files: Record<string, string> = { "main.mm": 'import "c/0.mm"\n' };
    for (let i = 0; i < 3000; i++) files[`c/${i}.mm`] = block(`B${i}`, i < 2999 ? `import "./${i + 1}.mm"\n` : "");
    const root = proj("chain", files);
    const r = new Session().checkFiles([join(root, "main.mm")]);
    expect(r.diagnostics).toEqual([]);
    expect(r.sources.size).toBe(3001);
    const capped = new Session(undefined, undefined, undefined, { ...DEFAULT_LIMITS, files: 100 }).checkFiles([join(root, "main.mm")]);
    expect(capped.diagnostics.map((d) => d.code)).toEqual(["MM7005"]);
    expect(capped.sources.size).toBe(100);
  });

  it("lists a folder that links to itself once", () => {
    const root = proj("loop", { "a/x.mm": block("X") });
    symlinkSync(join(root, "a"), join(root, "a", "again"));
    expect(listMmFiles(root).map((p) => p.slice(root.length))).toEqual(["/a/x.mm"]);
  });
});
