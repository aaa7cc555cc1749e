// node:fs for the playground's web worker: an in-memory tree holding the stdlib (under
// /stdlib, where compiler/base/package.ts looks from a bundle served over http) and the
// editor's text. Only what the compiler's read path calls exists; writes are refused.
const files = new Map<string, string>();

/** Puts a file in the tree (the stdlib at start-up, the editor's text on each edit). */
export function putFile(path: string, text: string): void {
  files.set(path, text);
}

const isDir = (p: string): boolean => {
  const prefix = p.endsWith("/") ? p : `${p}/`;
  for (const f of files.keys()) if (f.startsWith(prefix)) return true;
  return false;
};
const missing = (p: string): Error => Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });

export function existsSync(p: string): boolean {
  return files.has(p) || isDir(p);
}
export function readFileSync(p: string): string {
  const t = files.get(p);
  if (t === undefined) throw missing(p);
  return t;
}
export function statSync(p: string): { isFile(): boolean; isDirectory(): boolean; size: number } {
  if (files.has(p)) return { isFile: () => true, isDirectory: () => false, size: files.get(p)!.length };
  if (isDir(p)) return { isFile: () => false, isDirectory: () => true, size: 0 };
  throw missing(p);
}
/** The tree has no links: every path is real. */
export function realpathSync(p: string): string {
  return p;
}
export function readdirSync(p: string): string[] {
  const prefix = p.endsWith("/") ? p : `${p}/`;
  const out = new Set<string>();
  for (const f of files.keys()) if (f.startsWith(prefix)) out.add(f.slice(prefix.length).split("/")[0]!);
  if (out.size === 0 && !files.has(p)) throw missing(p);
  return [...out];
}
const refuse = (): never => {
  throw new Error("the playground writes no files");
};
export const writeFileSync = refuse, mkdirSync = refuse, renameSync = refuse, rmSync = refuse, openSync = refuse;
export const fstatSync = refuse, readSync = refuse, closeSync = refuse, watch = refuse, mkdtempSync = refuse;
export const fsyncSync = refuse, writeSync = refuse, unlinkSync = refuse;
/** Open flags (compiler/base/ring-writer.ts reads O_DIRECT): none apply in a browser. */
export const constants: Readonly<Record<string, number | undefined>> = {};
export default { existsSync, readFileSync, statSync, readdirSync };
