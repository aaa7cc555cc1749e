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

/** Every .mm file under a folder, sorted, for `mm list` and the stdlib index. */
export function listMmFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith(".mm")) out.push(p);
    }
  };
  walk(root);
  return out;
}
