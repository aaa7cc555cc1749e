// Mutation of real programs for the fuzzer: every .mm file of stdlib/ and examples/ (read
// once), damaged at the level of lines and tokens. Real programs reach deeper into the
// checker than generated ones; small damage to them finds what a parser's recovery, the
// elaborator and the tracer do with almost-right input.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative } from "node:path";
import { rawByte, type Program } from "./program.js";
import type { Rng } from "./rng.js";

interface Source {
  readonly path: string;
  readonly text: string;
}

let corpus: Source[] | undefined;

/** Every .mm file under stdlib/ and examples/ of the package at `root`, sorted by path. */
export function loadCorpus(root: string): readonly Source[] {
  if (corpus) return corpus;
  const out: Source[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".mm")) out.push({ path: relative(root, p), text: stdImports(readFileSync(p, "utf8"), relative(join(root, "stdlib"), dir)) });
    }
  };
  walk(join(root, "stdlib"));
  walk(join(root, "examples"));
  corpus = out;
  return out;
}

/** A stdlib file's relative imports as `std/` paths, so that its mutant resolves them from
 *  any folder (`dir`: the file's folder relative to stdlib/; examples import std/ only). */
function stdImports(text: string, dir: string): string {
  return text.replace(/(import\b[^"\n]*")(\.\.?\/[^"]*)"/g, (_m, head: string, path: string) => `${head}std/${posix.join(dir, path)}"`);
}

const NUMBERS = ["0", "-1", "1", "1e9", "1_000_000_000", "9007199254740992", "9007199254740993", "18446744073709551616", "2 ** 53", "2 ** 64", "0.0", "1e-300"];
/** Values of other types, for a value where a number or a name stood. */
const CONFUSED = ["0.5", "-0.5", "1e-300", "true", "none", '"s"', "[1, 2]", "[]", "(1, 2)", "inf", "-inf", "pi", "Act.gelu", "x.shape", "range(3)", "B"];
const BRACKETS = ["(", ")", "[", "]", "{", "}", ","];

type Mutation = (r: Rng, text: string, other: string) => string;

const lines = (t: string): string[] => t.split("\n");
const tokens = (t: string): RegExpMatchArray[] => [...t.matchAll(/[A-Za-z_][A-Za-z0-9_]*|\d[\d_]*(?:\.\d+)?(?:e-?\d+)?|[^\sA-Za-z0-9_]/g)];

/** Replaces one token (chosen by `pick` among those `which` accepts) with `by(token)`. */
function replaceToken(r: Rng, text: string, which: RegExp, by: (tok: string) => string): string {
  const ts = tokens(text).filter((m) => which.test(m[0]));
  if (!ts.length) return text;
  const m = r.pick(ts);
  return text.slice(0, m.index) + by(m[0]) + text.slice(m.index! + m[0].length);
}

const MUTATIONS: Record<string, Mutation> = {
  deleteLine(r, t) { const l = lines(t); l.splice(r.int(l.length), 1); return l.join("\n"); },
  duplicateLine(r, t) { const l = lines(t); const i = r.int(l.length); l.splice(i, 0, l[i]!); return l.join("\n"); },
  swapLines(r, t) {
    const l = lines(t); const i = r.int(l.length), j = r.int(l.length);
    [l[i], l[j]] = [l[j]!, l[i]!];
    return l.join("\n");
  },
  repeatLine(r, t) { const l = lines(t); const i = r.int(l.length); l.splice(i, 0, ...Array<string>(r.pick([10, 100, 1000, 5000])).fill(l[i]!)); return l.join("\n"); },
  number(r, t) { return replaceToken(r, t, /^\d/, () => r.pick(NUMBERS)); },
  confuse(r, t) { return replaceToken(r, t, /^[\dA-Za-z_]/, () => r.pick(CONFUSED)); },
  identifier(r, t) {
    const ids = tokens(t).map((m) => m[0]).filter((s) => /^[A-Za-z_]/.test(s));
    return ids.length ? replaceToken(r, t, /^[A-Za-z_]/, () => r.pick(ids)) : t;
  },
  deleteToken(r, t) { return replaceToken(r, t, /./, () => ""); },
  duplicateToken(r, t) { return replaceToken(r, t, /./, (s) => s + " " + s); },
  insertBracket(r, t) { const i = r.int(t.length + 1); return t.slice(0, i) + r.pick(BRACKETS) + t.slice(i); },
  deleteBracket(r, t) { return replaceToken(r, t, /^[()[\]{}]$/, () => ""); },
  truncate(r, t) { return t.slice(0, r.int(t.length + 1)); },
  splice(r, t, other) { return t.slice(0, r.int(t.length + 1)) + other.slice(r.int(other.length + 1)); },
  randomByte(r, t) {
    const b = r.int(256);
    const c = b >= 0x80 ? rawByte(b) : String.fromCharCode(b);
    const i = r.int(t.length + 1);
    return t.slice(0, i) + c + t.slice(i);
  },
};

/** A mutant of one corpus file (1 to 4 mutations), named in its tags. */
export function mutantProgram(r: Rng, root: string): Program {
  const files = loadCorpus(root);
  const src = r.pick(files);
  const other = r.pick(files);
  const names = Object.keys(MUTATIONS);
  const applied: string[] = [];
  let text = src.text;
  for (let k = r.range(1, 4); k > 0; k--) {
    const name = r.pick(names);
    applied.push(name);
    text = MUTATIONS[name]!(r, text, other.text);
  }
  const models = [...text.matchAll(/(?:^|\n)\s*model\s+([A-Za-z_]\w*)/g)].map((m) => m[1]!);
  return { files: { "main.mm": text }, tags: [`mutant:${src.path}`, ...applied], ...(models.length ? { model: r.pick(models) } : {}) };
}
