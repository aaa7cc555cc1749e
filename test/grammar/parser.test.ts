// The parser (grammar/parse/) against what it replaced and what it promises. Until #16 a
// chevrotain parser with error recovery reported syntax errors; the hand-written parser now
// does, with its own recovery. corpus/chevrotain-first-errors.json holds the first
// diagnostic chevrotain gave for each of 1,000 mutants of a frozen corpus (mutants.ts),
// recorded before it was removed: the parser gives the same one for all but the few listed
// below, where it says something more precise.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { parseFile } from "../../grammar/index.js";
import { MAX_NESTING } from "../../grammar/parse/base.js";
import { MAX_TREE_DEPTH } from "../../grammar/parse/depth.js";
import { noSpans } from "./helpers.js";
import { mutants } from "./mutants.js";

const ROOT = join(import.meta.dirname, "../..");

function mmFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === "node_modules" || e.startsWith(".") || e.startsWith("dist")) continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) mmFiles(p, out);
    else if (p.endsWith(".mm")) out.push(p);
  }
  return out;
}

const first = (path: string, text: string): string => {
  const d = parseFile(path, text).diagnostics[0];
  return d === undefined ? "clean" : `${d.code} ${d.span.start}-${d.span.end} ${d.message}`;
};

describe("every .mm file of the repository parses without a diagnostic (but the syntax error cases)", () => {
  const files = mmFiles(ROOT);
  /** The codes a file is meant to show: its example's, or its `# expect:` lines'. */
  const meant = (f: string, text: string): Set<string> =>
    new Set([...(/examples\/(MM\d+)\/wrong\.mm$/.exec(f)?.slice(1) ?? []), ...[...text.matchAll(/^# expect: (MM\d+)/gm)].map((m) => m[1]!)]);
  test("there are files", () => expect(files.length).toBeGreaterThan(100));
  test.each(files.map((f) => [relative(ROOT, f), f]))("%s", (_, f) => {
    const text = readFileSync(f, "utf8");
    const r = parseFile(f, text);
    const codes = meant(f, text);
    expect(r.diagnostics.filter((d) => !codes.has(d.code))).toEqual([]);
    expect(r.ast.span).toEqual({ file: f, start: 0, end: text.length });
  });
});

test("line endings and a byte-order mark give the same AST, tabs parse", () => {
  for (const f of mmFiles(join(ROOT, "stdlib", "models"))) {
    const text = readFileSync(f, "utf8");
    const ast = noSpans(parseFile(f, text).ast);
    for (const variant of [text.replace(/\n/g, "\r\n"), `\uFEFF${text}`]) {
      const r = parseFile(f, variant);
      expect(r.diagnostics).toEqual([]);
      expect(noSpans(r.ast)).toEqual(ast);
    }
    expect(parseFile(f, text.replace(/ {2}/g, "\t")).diagnostics).toEqual([]); // doc strings keep their tabs
  }
});

describe("1,000 mutants: the first diagnostic chevrotain gave", () => {
  /** Mutant number → why the parser's first diagnostic differs from chevrotain's. */
  const KNOWN: Readonly<Record<number, string>> = {
    245: "a variant's missing `}`: reported at the next `model` rather than as `model` read as an override",
    867: "the same, for another variant",
    402: "`forward(x: [B, L] )int64 -> ...`: the missing `->` before `int64` rather than the `->` after it",
    822: "`if == queries T {`: the missing condition rather than 'expected a statement' at `if`",
  };
  const golden = JSON.parse(readFileSync(join(import.meta.dirname, "corpus", "chevrotain-first-errors.json"), "utf8")) as string[];
  const all = mutants(golden.length);

  test("the same first diagnostic, code, span and message", () => {
    const differ: string[] = [];
    all.forEach(({ path, text }, m) => {
      const got = first(path, text);
      if ((got === golden[m]) === (KNOWN[m] !== undefined)) differ.push(`mutant ${m}: chevrotain ${golden[m]}; now ${got}`);
    });
    expect(differ).toEqual([]);
    expect(golden.filter((g) => g !== "clean").length).toBeGreaterThan(500);
  });

  test("every diagnostic is a syntax error inside the file, and nothing throws", () => {
    for (const { path, text } of all) {
      const r = parseFile(path, text);
      expect(r.ast.span.end).toBe(text.length);
      for (const d of r.diagnostics) {
        expect(d.code).toMatch(/^MM100[1-5]$/);
        expect(d.span.start).toBeGreaterThanOrEqual(0);
        expect(d.span.end).toBeLessThanOrEqual(text.length);
      }
    }
  });
});

describe("each kind of error is reported", () => {
  test.each([
    ["a character that starts no token", "block T { let v = a & b }", "MM1003"],
    ["a malformed number", "block T { let v = 1__0 }", "MM1004"],
    ["an unterminated string", 'import "std/nn/layers.mm', "MM1002"],
    ["an unknown escape", 'import "std\\q.mm"', "MM1001"],
    ["a syntax error", "block T { let = 1 }", "MM1001"],
    ["a misplaced route", "block T { route by modality }", "MM1005"],
    ["a misplaced input", "tower T { input x: [B] }", "MM1005"],
    ["a misplaced task", "block T { task t { outputs: y } }", "MM1005"],
    ["a model forward with a signature", "model M { forward(x: [B]) -> [B] { return x } }", "MM1005"],
    ["a block forward without one", "block T { forward { return 1 } }", "MM1005"],
    ["a forward without '->'", "block T { forward(x: [B]) [B] { return x } }", "MM1001"],
    ["a submodule that is no call", "block T { a = b.c }", "MM1001"],
  ])("%s", (_, text, code) => {
    expect(parseFile("t.mm", text).diagnostics.map((d) => d.code)).toEqual([code]);
  });

  test("a misplaced item that does not parse reports the syntax error only", () => {
    expect(parseFile("t.mm", "block T { forward forward(x: [B]) -> [B] { return x } }").diagnostics.map((d) => d.message))
      .toEqual(["expected '{' but found 'forward'"]);
  });
});

describe("nesting has a budget, not a stack overflow", () => {
  const deep = (n: number): string[] => [
    `block T { let v = ${"(".repeat(n)}1${")".repeat(n)} }`,
    `block T { let v = ${"[".repeat(n)}1${"]".repeat(n)} }`,
    `block T { let v = ${"2 ** ".repeat(n)}2 }`,
    `block T { let v = ${"if a then ".repeat(n)}1${" else 2".repeat(n)} }`,
    `block T { forward(x: [B]) -> [B] { ${"if a { ".repeat(n)}return x${" }".repeat(n)} } }`,
    `block T { forward(x: [B]) -> [B] { if a { return x }${" else if a { return x }".repeat(n)} } }`,
  ];
  test.each(deep(100_000).map((t, i) => [i, t]))("hostile case %i: one error, and the rest of the file parses", (_, text) => {
    const r = parseFile("t.mm", `${text}\nblock After { }`);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([`MM1006 brackets, blocks and \`else if\` nest more than ${MAX_NESTING} levels deep here`]);
    expect(r.ast.decls.map((d) => d.name.name)).toEqual(["T", "After"]);
  });
  // Chains the parser builds in loops are as deep as they are long as trees, and every later
  // stage recurses on trees: past MAX_TREE_DEPTH the declaration is reported and dropped.
  const chains = (n: number): [string, string][] => [
    ["a `.T` chain", `model T { forward { output y = x${".T".repeat(n)} } }`],
    ["a long sum", `model T { forward { output y = ${Array(n).fill("x").join(" + ")} } }`],
    ["unary minuses", `model T { forward { output y = ${"-".repeat(n)}x } }`],
    ["a call chain", `model T { forward { output y = x${".f()".repeat(n / 2)} } }`], // two levels a call
  ];
  test.each(chains(10_000))("%s 10,000 long: MM1006 at the construct, the next declaration parses", (_, text) => {
    const r = parseFile("t.mm", `${text}\nblock After { }`);
    expect(r.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([`MM1006 an expression nests more than ${MAX_TREE_DEPTH} levels deep here`]);
    expect(r.diagnostics[0]!.span.start).toBeGreaterThan(20); // inside the chain, not at the file's start
    expect(r.ast.decls.map((d) => d.name.name)).toEqual(["After"]);
  });
  test.each(chains(900))("%s 900 long is within the budget", (_, text) => {
    expect(parseFile("t.mm", text).diagnostics).toEqual([]);
  });
  test.each(deep(MAX_NESTING - 10).map((t, i) => [i, t]))("case %i within the budget parses", (_, text) => {
    expect(parseFile("t.mm", text).diagnostics).toEqual([]);
  });
});
