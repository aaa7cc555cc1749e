// `npm run package:vscode` builds the VS Code extension offline: the .vsix holds the manifest
// (the mm language, its grammar and configuration, the two commands), the TextMate grammar,
// the language configuration and one bundled client that needs nothing but `vscode` and Node.
// Read with mm's own zip reader (compiler/checkpoint/zip.ts).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RandomAccessFile } from "../../compiler/checkpoint/checkpoint.js";
import { readEntry, readZipEntries } from "../../compiler/checkpoint/zip.js";

const ROOT = join(import.meta.dirname, "..", "..");

describe("the VS Code extension", () => {
  it("packages to a .vsix with the manifest, grammar, configuration and a self-contained client", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "package-vscode.mjs")], { cwd: ROOT, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const file = new RandomAccessFile(join(ROOT, "dist", "mm-lang-0.1.0.vsix"));
    try {
      const entries = readZipEntries(file);
      const text = (name: string): string => Buffer.from(readEntry(file, entries.find((e) => e.name === name)!)).toString("utf8");
      expect(entries.map((e) => e.name).sort()).toEqual([
        "[Content_Types].xml", "extension.vsixmanifest", "extension/LICENSE.txt", "extension/dist/extension.js",
        "extension/language-configuration.json", "extension/package.json", "extension/readme.md", "extension/syntaxes/mm.tmLanguage.json",
      ]);
      const manifest = JSON.parse(text("extension/package.json"));
      expect(manifest.main).toBe("./dist/extension.js");
      expect(manifest.activationEvents).toEqual(["onLanguage:mm"]);
      expect(manifest.contributes.languages[0]).toMatchObject({ id: "mm", extensions: [".mm"], configuration: "./language-configuration.json" });
      expect(manifest.contributes.grammars[0]).toEqual({ language: "mm", scopeName: "source.mm", path: "./syntaxes/mm.tmLanguage.json" });
      expect(manifest.contributes.commands.map((c: { command: string }) => c.command)).toEqual(["mm.showDiagram", "mm.showSummary"]);
      expect(JSON.parse(text("extension/syntaxes/mm.tmLanguage.json")).scopeName).toBe("source.mm");
      expect(JSON.parse(text("extension/language-configuration.json")).comments).toEqual({ lineComment: "#" });
      // The client bundle requires only the editor's module and Node's own.
      const requires = [...text("extension/dist/extension.js").matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
      expect(requires).toContain("vscode");
      expect(requires.filter((m) => m !== "vscode" && !/^(node:)?[a-z_]+(\/[a-z_]+)?$/.test(m))).toEqual([]);
      expect(text("extension.vsixmanifest")).toContain('Id="mm-lang"');
    } finally {
      file.close();
    }
  }, 120_000);
});
