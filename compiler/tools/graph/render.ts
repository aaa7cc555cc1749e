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
