// Parsed files kept by path while their text is unchanged. ASTs are never mutated after
// parsing (later stages key their facts on AST objects in WeakMaps), so one can serve
// every program that loads the same text.
import { parseFile, type ParsedFile } from "../../grammar/index.js";

export class ParseCache {
  private readonly files = new Map<string, { readonly text: string; readonly parsed: ParsedFile }>();
  /** Files parsed (not reused) since the cache was made. */
  parsedCount = 0;

  /** Files held: one entry per path, the latest text. */
  get size(): number {
    return this.files.size;
  }

  readonly parse = (path: string, text: string): ParsedFile => {
    const hit = this.files.get(path);
    if (hit !== undefined && hit.text === text) return hit.parsed;
    const parsed = parseFile(path, text);
    this.parsedCount++;
    this.files.set(path, { text, parsed });
    return parsed;
  };
}
