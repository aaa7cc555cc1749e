// Layout with Graphviz compiled to WebAssembly (@viz-js/viz: the WASM is inlined in the
// package, nothing is downloaded). Its API is asynchronous and the CLI's commands are
// synchronous, so the layout runs in a child Node process fed DOT on stdin; the package is
// resolved from this module (dist/mm.js or the sources), so it is never bundled.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";

export type Format = "svg" | "dot" | "html";
export const FORMATS: readonly Format[] = ["svg", "dot", "html"];

const CHILD = `
const { instance } = require(process.argv[1]);
let dot = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (d) => { dot += d; });
process.stdin.on("end", () => instance().then((viz) => {
  const out = [];
  for (const d of JSON.parse(dot)) {
    const r = viz.render(d, { format: "svg" });
    if (r.status !== "success") { process.stderr.write(r.errors.map((e) => e.message).join("\\n")); process.exit(1); }
    out.push(r.output);
  }
  process.stdout.write(JSON.stringify(out));
}));
`;

export class LayoutError extends Error {}

/** The SVG Graphviz's dot lays out for a DOT text. */
export function layoutSvg(dot: string): string {
  return layoutSvgs([dot])[0]!;
}

/** Several layouts in one child process (WASM instantiation is the fixed cost). */
export function layoutSvgs(dots: readonly string[]): string[] {
  const viz = createRequire(import.meta.url).resolve("@viz-js/viz");
  try {
    const out: unknown = JSON.parse(execFileSync(process.execPath, ["-e", CHILD, viz], { input: JSON.stringify(dots), encoding: "utf8", maxBuffer: 1 << 30, stdio: ["pipe", "pipe", "pipe"] }));
    if (!Array.isArray(out) || out.length !== dots.length || !out.every((s) => typeof s === "string")) throw new LayoutError("graphviz layout: malformed answer");
    return out as string[];
  } catch (e) {
    const stderr = (e as { stderr?: unknown }).stderr;
    throw new LayoutError(`graphviz layout failed: ${typeof stderr === "string" && stderr ? stderr.trim() : e instanceof Error ? e.message : String(e)}`);
  }
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** A self-contained page around the SVG (no scripts, no external resources). */
export function htmlPage(title: string, svg: string): string {
  const body = svg.replace(/^<\?xml[^>]*>\s*/, "").replace(/^<!DOCTYPE[^>]*>\s*/, "");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #111827; }
.legend span { display: inline-block; padding: 0.15em 0.6em; margin-right: 0.4em; border: 1px solid; border-radius: 4px; font-size: 0.9em; }
.diagram svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="legend"><span style="background:#dbeafe;border-color:#2563eb">tower</span><span style="background:#ffedd5;border-color:#ea580c">fusion</span><span style="background:#ede9fe;border-color:#7c3aed">experts</span><span style="background:#dcfce7;border-color:#16a34a">head</span><span style="background:#fee2e2;border-color:#dc2626">loss</span><span style="background:#f3f4f6;border-color:#6b7280">block</span><span style="background:#cbd5e1;border-color:#6b7280;border-style:dashed">frozen</span></p>
<div class="diagram">
${body}</div>
</body>
</html>
`;
}
