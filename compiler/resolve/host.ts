// File access for the loader, so tests can run on in-memory files.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export interface FileHost {
  read(path: string): string | undefined;
  isFile(path: string): boolean;
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
};

/** The package root (where package.json of mm lives), found from this module's location
 *  so it works both from sources (vitest) and from dist/ (the CLI). */
export const PACKAGE_ROOT: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "stdlib"))) return dir;
    dir = dirname(dir);
  }
  return resolve(dirname(fileURLToPath(import.meta.url)), "../..");
})();

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
