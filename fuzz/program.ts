// What the fuzzer runs: a program's files, and how they go to disk. Text is UTF-8, except
// that the private-use characters U+F780..U+F7FF stand for the single raw bytes 0x80..0xFF,
// so a mutation can put invalid UTF-8 into a file while programs stay strings (which the
// minimiser cuts and the reports print).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface Program {
  /** File texts by path relative to the project root; `main.mm` is the one checked. */
  readonly files: Readonly<Record<string, string>>;
  /** The model for params/summary/compile (otherwise the first `model` of main.mm). */
  readonly model?: string;
  /** What went into it (hostile features, mutations), for reports and failure signatures. */
  readonly tags: readonly string[];
}

const RAW = 0xf700;

/** The character that stands for raw byte `b` (0x80..0xFF). */
export function rawByte(b: number): string {
  return String.fromCharCode(RAW + b);
}

export function encodeFile(text: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= RAW + 0x80 && c <= RAW + 0xff) {
      parts.push(Buffer.from(text.slice(start, i), "utf8"), Buffer.from([c - RAW]));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start), "utf8"));
  return Buffer.concat(parts);
}

/** Writes a program into `dir` as a project root (with an mm.json). */
export function writeProgram(dir: string, p: Program): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "mm.json"), "{}\n");
  for (const [name, text] of Object.entries(p.files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), encodeFile(text));
  }
}

/** The model a command should name: the program's own choice, else main.mm's first model. */
export function modelOf(p: Program): string | undefined {
  if (p.model !== undefined && new RegExp(`(^|\\n)\\s*model\\s+${p.model}\\b`).test(p.files["main.mm"] ?? "")) return p.model;
  return /(?:^|\n)\s*model\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(p.files["main.mm"] ?? "")?.[1];
}

/** A program's text for a report: long runs of a repeated piece folded (`«.T»×5000`),
 *  invisible and raw characters escaped, cut at `max` characters. */
export function compact(text: string, max = 4000): string {
  const folded = text
    .replace(/([^]{1,12}?)\1{7,}/g, (run: string, unit: string) => (/^\s+$/.test(unit) && run.length < 64 ? run : `«${unit}»×${run.length / unit.length}`))
    .replace(/[\0-\x08\x0b-\x1f\x7f\u0085\u00a0\u2000-\u200f\u2028-\u202f\ufeff\ufff0-\uffff\ud800-\udfff\uf780-\uf7ff]/gu, (c) => {
      const n = c.charCodeAt(0);
      return n >= 0xf780 && n <= 0xf7ff ? `\\x${(n - 0xf700).toString(16)}` : `\\u{${n.toString(16)}}`;
    });
  return folded.length > max ? `${folded.slice(0, max)}… (${folded.length - max} more characters)` : folded;
}
