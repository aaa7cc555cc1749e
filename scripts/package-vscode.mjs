// `npm run package:vscode`: the VS Code extension as a .vsix, offline. The client
// (editors/vscode/src/extension.ts) is bundled with esbuild into one file, `vscode` left to
// the editor, so the package carries no node_modules; @vscode/vsce then packs the manifest,
// the TextMate grammar, the language configuration and the bundle. Output:
// dist/mm-lang-<version>.vsix, written under a temporary name and renamed into place.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const ext = join(root, "editors", "vscode");
const { version, name } = JSON.parse(readFileSync(join(ext, "package.json"), "utf8"));
await build({
  entryPoints: [join(ext, "src", "extension.ts")], outfile: join(ext, "dist", "extension.js"),
  bundle: true, minify: true, platform: "node", format: "cjs", target: "node18", external: ["vscode"], logLevel: "warning",
});
mkdirSync(join(root, "dist"), { recursive: true });
const out = join(root, "dist", `${name}-${version}.vsix`);
const tmp = `${out}.tmp.vsix`;
rmSync(tmp, { force: true });
const vsce = join(dirname(createRequire(import.meta.url).resolve("@vscode/vsce/package.json")), "vsce");
execFileSync(process.execPath, [vsce, "package", "--no-dependencies", "--out", tmp], { cwd: ext, stdio: ["ignore", "inherit", "inherit"] });
renameSync(tmp, out);
console.log(`wrote ${out}`);
