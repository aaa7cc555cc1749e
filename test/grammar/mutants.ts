// Mutants of a frozen corpus (test/grammar/corpus/: three stdlib files as of #16), made
// with a fixed seed so that a mutant's number names the same text forever: token edits
// (delete, duplicate, swap, replace by a keyword or punctuation) and character edits
// (delete, insert), one per mutant. About two in five stay valid; the rest cover every kind
// of syntax error near declarations, items, statements and expressions.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lex } from "../../grammar/lex.js";

const VOCAB = [
  "let", "param", "forward", "->", "(", ")", "[", "]", "{", "}", ",", ":", "=", ".", "x", "in", "as", "repeat", "if",
  "then", "else", "**", "*", "-", "!", "1", "2.5", '"s"', "...", "model", "block", "input", "output", "loss", "task",
  "stage", "route", "by", "init", "where", "with", ";", "==", "+", "return", "for", "none", "true",
];
const CHARS = '#\n ".\\_0e1-x(]';

export const CORPUS = ["clip.mm", "qformer.mm", "blip2.mm"].map((f) => {
  const path = join(import.meta.dirname, "corpus", f);
  return { path, text: readFileSync(path, "utf8") };
});

/** `count` mutants of the corpus: [file, text] pairs. */
export function mutants(count: number, seed = 20261207): { path: string; text: string }[] {
  let s = seed;
  const rnd = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  const out: { path: string; text: string }[] = [];
  for (let m = 0; m < count; m++) {
    const { path, text } = CORPUS[rnd(CORPUS.length)]!;
    const t = lex(path, text).tokens;
    const i = rnd(t.count - 1);
    const [a, b, a2, b2] = [t.start[i]!, t.end[i]!, t.start[i + 1]!, t.end[i + 1]!];
    const c = rnd(text.length);
    let mutated: string;
    switch (rnd(6)) {
      case 0: mutated = text.slice(0, a) + text.slice(b); break;
      case 1: mutated = `${text.slice(0, b)} ${text.slice(a, b)}${text.slice(b)}`; break;
      case 2: mutated = text.slice(0, a) + text.slice(a2, b2) + text.slice(b, a2) + text.slice(a, b) + text.slice(b2); break;
      case 3: mutated = text.slice(0, a) + VOCAB[rnd(VOCAB.length)]! + text.slice(b); break;
      case 4: mutated = text.slice(0, c) + text.slice(c + 1); break;
      default: mutated = text.slice(0, c) + CHARS[rnd(CHARS.length)]! + text.slice(c);
    }
    out.push({ path, text: mutated });
  }
  return out;
}
