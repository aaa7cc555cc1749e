// The two front ends agree (grammar/index.ts): the fast path (grammar/fast/) accepts exactly
// the files the full chevrotain path parses without a diagnostic, and builds the same AST,
// spans and doc strings included. Checked on every .mm file of the repository, on thousands
// of mutants of the stdlib (a fixed seed, so a failure reproduces), and on each kind of
// error the full path reports. test/grammar/helpers.ts checks every snippet of the other
// grammar tests the same way.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { fastLex } from "../../grammar/fast/lex.js";
import { fastParse } from "../../grammar/fast/parse.js";
import { parseFile, parseFileFull } from "../../grammar/index.js";

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

/** The agreement, as a message naming what differs (undefined when they agree). */
function disagreement(file: string, text: string): string | undefined {
  const full = parseFileFull(file, text);
  const fast = fastParse(file, text);
  if (full.diagnostics.length > 0) return fast === undefined ? undefined : `fast path accepts what the full path reports: ${full.diagnostics[0]!.message}`;
  if (fast === undefined) return "fast path gives up on a clean file";
  try {
    expect(fast).toStrictEqual(full.ast);
    return undefined;
  } catch (e) {
    return `different ASTs: ${String(e).slice(0, 2000)}`;
  }
}

describe("every .mm file of the repository", () => {
  const files = mmFiles(ROOT);
  test("there are files to compare, most of them clean", () => {
    expect(files.length).toBeGreaterThan(100);
    const clean = files.filter((f) => fastParse(f, readFileSync(f, "utf8")) !== undefined);
    expect(clean.length).toBeGreaterThan(files.length * 0.9);
  });
  test.each(files.map((f) => [relative(ROOT, f), f]))("%s", (_, f) => {
    expect(disagreement(f, readFileSync(f, "utf8"))).toBeUndefined();
  });
});

test("line endings, a byte-order mark and tabs read alike on both paths", () => {
  for (const f of mmFiles(join(ROOT, "stdlib", "models"))) {
    const text = readFileSync(f, "utf8");
    for (const variant of [text.replace(/\n/g, "\r\n"), `\uFEFF${text}`, text.replace(/ {2}/g, "\t")]) {
      expect(parseFileFull(f, variant).diagnostics).toEqual([]);
      expect(disagreement(f, variant)).toBeUndefined();
    }
  }
});

describe("mutants of the stdlib", () => {
  // Token edits (delete, duplicate, swap, replace by a keyword or punctuation) and character
  // edits (delete, insert), one per mutant: a mix of still-valid files (about two in five) and
  // every kind of syntax error, near declarations, items, statements and expressions.
  const VOCAB = [
    "let", "param", "forward", "->", "(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "x", "in", "as", "repeat", "if",
    "then", "else", "**", "*", "-", "!", "1", "2.5", '"s"', "...", "model", "block", "input", "output", "loss", "task",
    "stage", "route", "by", "init", "where", "with", ";", "==", "+", "return", "for", "none", "true",
  ];
  const CHARS = '#\n ".\\_0e1-x(]';
  const files = mmFiles(join(ROOT, "stdlib")).map((f) => [f, readFileSync(f, "utf8")] as const);
  let seed = 20261130;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  function mutant(text: string): string {
    const t = fastLex(text)!;
    const i = rnd(t.count - 1);
    const [s, e, s2, e2] = [t.start[i]!, t.end[i]!, t.start[i + 1]!, t.end[i + 1]!];
    const c = rnd(text.length);
    switch (rnd(6)) {
      case 0: return text.slice(0, s) + text.slice(e);
      case 1: return `${text.slice(0, e)} ${text.slice(s, e)}${text.slice(e)}`;
      case 2: return text.slice(0, s) + text.slice(s2, e2) + text.slice(e, s2) + text.slice(s, e) + text.slice(e2);
      case 3: return text.slice(0, s) + VOCAB[rnd(VOCAB.length)]! + text.slice(e);
      case 4: return text.slice(0, c) + text.slice(c + 1);
      default: return text.slice(0, c) + CHARS[rnd(CHARS.length)]! + text.slice(c);
    }
  }
  test("1,000 mutants: accepted exactly when clean, with the same AST", () => {
    let clean = 0;
    const failures: string[] = [];
    for (let m = 0; m < 1000; m++) {
      const [file, text] = files[rnd(files.length)]!;
      const out = mutant(text);
      if (fastParse(file, out) !== undefined) clean++;
      const why = disagreement(file, out);
      if (why !== undefined) failures.push(`${relative(ROOT, file)} (mutant ${m}): ${why}`);
    }
    expect(failures).toEqual([]);
    expect(clean).toBeGreaterThan(150); // the valid mutants compare ASTs, not just verdicts
  });
});

describe("the fast path gives up wherever the full path reports", () => {
  test.each([
    ["a character that starts no token", "block T { let v = a & b }"],
    ["a malformed number", "block T { let v = 1__0 }"],
    ["an unterminated string", 'import "std/nn/layers.mm'],
    ["an unknown escape", 'import "std\\q.mm"'],
    ["a syntax error", "block T { let = 1 }"],
    ["a misplaced route", "block T { route by modality }"],
    ["a misplaced input", "tower T { input x: [B] }"],
    ["a misplaced task", "block T { task t { outputs: y } }"],
    ["a model forward with a signature", "model M { forward(x: [B]) -> [B] { return x } }"],
    ["a block forward without one", "block T { forward { return 1 } }"],
    ["a forward without '->'", "block T { forward(x: [B]) [B] { return x } }"],
    ["a submodule that is no call", "block T { a = b.c }"],
    ["nesting too deep for the stack", `block T { let v = ${"(".repeat(20000)}1${")".repeat(20000)} }`],
  ])("%s", (_, text) => {
    expect(fastParse("t.mm", text)).toBeUndefined();
    expect(parseFile("t.mm", text).diagnostics.length).toBeGreaterThan(0);
  });
});
