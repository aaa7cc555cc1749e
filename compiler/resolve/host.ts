// File access for the loader, so tests can run on in-memory files.
import { readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { PACKAGE_ROOT } from "../base/package.js";

export interface FileHost {
  read(path: string): string | undefined;
  isFile(path: string): boolean;
  /** Where a path really is, symlinks resolved (itself when it does not exist); imports are
   *  checked against the project and the stdlib by it. Absent: paths are real (in memory). */
  realpath?(path: string): string;
  /** What is at a path (symlinks followed): a regular file and its size, or something else
   *  (folder, device, FIFO), or nothing. Absent: only what `isFile` says is known. */
  stat?(path: string): { readonly kind: "file" | "other"; readonly size: number } | undefined;
}

export const diskHost: FileHost = {
  read(path) {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
  isFile(path) {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  realpath(path) {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  },
  stat(path) {
    try {
      const s = statSync(path);
      return { kind: s.isFile() ? "file" : "other", size: s.size };
    } catch {
      return undefined;
    }
  },
};

export const STDLIB_ROOT = join(PACKAGE_ROOT, "stdlib");

/** The project root of a file: nearest folder with mm.json or package.json, else its own folder. */
export function projectRootOf(file: string, host: FileHost = diskHost): string {
  let dir = dirname(resolve(file));
  for (;;) {
    if (host.isFile(join(dir, "mm.json")) || host.isFile(join(dir, "package.json"))) return dir;
    const up = dirname(dir);
    if (up === dir) return dirname(resolve(file));
    dir = up;
  }
}

/** Every .mm file under a folder, sorted, for `mm list` and the stdlib index. Iterative, and
 *  each real folder is walked once: a symlink to an enclosing folder is no endless loop. */
export function listMmFiles(root: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length) {
    const d = todo.pop()!;
    let real: string;
    let entries: string[];
    try {
      real = realpathSync(d);
      entries = readdirSync(d).sort();
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    const dirs: string[] = [];
    for (const e of entries) {
      const p = join(d, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue; // a dangling link
      }
      if (st.isDirectory()) dirs.push(p);
      else if (e.endsWith(".mm") && st.isFile()) out.push(p);
    }
    todo.push(...dirs.reverse());
  }
  return out.sort();
}
