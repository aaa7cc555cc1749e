// Atomic output: a file or folder is written under a temporary name beside its destination,
// then renamed into place, so a failure never leaves a half-written output (a crash leaves
// at most a dot-file temp behind, never a truncated result). One naming rule for every
// writer: `.NAME.PID.tmp` in the destination's folder (the rename stays on one file system).
import { existsSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The temporary path beside `path` that an atomic write of it uses. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes `data` to `path` atomically, keeping the mode of a file it replaces. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data, existsSync(path) ? { mode: statSync(path).mode } : {});
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

/** Builds a folder with `fill(tmp)` in a temporary folder beside `dir`, then puts it in
 *  place; an existing `dir` is replaced only once the new one is complete. */
export function writeDirAtomic(dir: string, fill: (tmp: string) => void): void {
  const tmp = tempPathFor(dir);
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp, { recursive: true });
    fill(tmp);
    const old = `${tmp}.old`;
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
