// The import direction between the compiler's folders: each has a level (base → ast →
// diagnostics → grammar, checkpoint → resolve → ops → ir → elaborate → check → backends → driver → tools
// → api → lsp → cli; the IR is a data contract, below the stages that produce it), and a module may
// import only folders at its own level or above it.
// A few rules say more than the order (a backend reads the IR, not the checker). Every import
// that breaks a rule today is listed in KNOWN with the reason; the test fails on a new one
// and on a listed one that is gone, so the list only shrinks. docs/architecture.md explains
// the layers.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

/** Each folder's level in the pipeline; runtime/ is the WebGPU runtime, a separate package
 *  entry that the WebGPU backend writes plans for. */
const LEVEL: Readonly<Record<string, number>> = {
  "compiler/base": 0, "runtime": 0, "compiler/ast": 1, "compiler/diagnostics": 2, "grammar": 3, "compiler/checkpoint": 3,
  "compiler/resolve": 4, "compiler/ops": 5, "compiler/ir": 6, "compiler/elaborate": 7, "compiler/check": 8,
  "compiler/backends/onnx": 9, "compiler/backends/webgpu": 9, "compiler/driver": 10, "compiler/tools": 11,
  "compiler/api": 12, "compiler/lsp": 13, "compiler/cli": 14,
};

interface Rule { readonly name: string; readonly from: RegExp; readonly to: RegExp }

/** Rules beyond the level order. */
const RULES: readonly Rule[] = [
  { name: "backends read the IR, never the checker, elaborator, resolver or each other",
    from: /^compiler\/backends\/(\w+)\//, to: /^compiler\/(check|elaborate|resolve|grammar)\// },
  { name: "the two backends are independent", from: /^compiler\/backends\/onnx\//, to: /^compiler\/backends\/webgpu\// },
  { name: "the two backends are independent", from: /^compiler\/backends\/webgpu\//, to: /^compiler\/backends\/onnx\// },
  { name: "the IR never reads the elaborated model", from: /^compiler\/ir\//, to: /^compiler\/elaborate\// },
  { name: "the runtime is self-contained", from: /^runtime\//, to: /^(compiler|grammar)\// },
  { name: "the foundation imports nothing of the compiler", from: /^compiler\/base\//, to: /^(compiler\/(?!base\/)|grammar\/|runtime\/)/ },
];

/** Imports that break a rule today: "from -> to" (files), with why. Fix one, delete its line. */
const KNOWN: Readonly<Record<string, string>> = {};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

function folderOf(file: string): string | undefined {
  return Object.keys(LEVEL).filter((f) => file.startsWith(`${f}/`)).sort((a, b) => b.length - a.length)[0];
}

/** Every relative import (static, `import type` and dynamic) as [from, to] repository paths. */
function imports(): [string, string][] {
  const out: [string, string][] = [];
  for (const f of ["compiler", "grammar", "runtime"].flatMap(files)) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      const to = normalize(join(dirname(f), m[1]!)).replace(/\.js$/, ".ts");
      out.push([relative(".", f), relative(".", to)]);
    }
  }
  return out;
}

describe("layering", () => {
  const all = imports();
  const broken = new Map<string, string>();
  for (const [from, to] of all) {
    const a = folderOf(from), b = folderOf(to);
    if (a === undefined || b === undefined || a === b) continue;
    const key = `${from} -> ${to}`;
    if (LEVEL[b]! > LEVEL[a]!) broken.set(key, `${a} (level ${LEVEL[a]}) imports ${b} (level ${LEVEL[b]}), further down the pipeline`);
    for (const r of RULES) if (r.from.test(from) && r.to.test(to)) broken.set(key, r.name);
  }

  it("reads the imports (the scan itself works)", () => {
    expect(all.length).toBeGreaterThan(500);
    expect(all.some(([f, t]) => f === "compiler/cli/main.ts" && t.startsWith("compiler/"))).toBe(true);
  });

  it("has every compiler folder at a level", () => {
    const unplaced = [...new Set(files("compiler").map((f) => relative(".", f)).filter((f) => !folderOf(f)).map((f) => dirname(f)))];
    expect(unplaced, "give each new folder a LEVEL").toEqual([]);
  });

  it("has no import against the pipeline's direction but the known ones", () => {
    const fresh = [...broken].filter(([k]) => !(k in KNOWN)).map(([k, why]) => `${k}: ${why}`);
    expect(fresh).toEqual([]);
  });

  it("lists no known exception that is gone (the list only shrinks)", () => {
    expect(Object.keys(KNOWN).filter((k) => !broken.has(k))).toEqual([]);
  });
});
