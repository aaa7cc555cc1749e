// Atomic output: a file or folder is written under a temporary name beside its destination,
// then renamed into place, so a failure never leaves a half-written output (a crash leaves
// at most a dot-file temp behind, never a truncated result, and the next write of the same
// destination removes it). One naming rule for every
// writer: `.NAME.PID.tmp` in the destination's folder (the rename stays on one file system).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The temporary path beside `path` that an atomic write of it uses. Temporaries that an
 *  earlier run killed mid-write left for the same destination (their process is gone) are
 *  removed first, so a kill leaves at most one behind, until the next write. */
export function tempPathFor(path: string): string {
  removeStaleTemps(path);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  // Only writes in flight are kept: one whose temporary is gone (renamed into place) is dropped.
  for (const t of ours) if (!existsSync(t) && !existsSync(`${t}.old`)) ours.delete(t);
  ours.add(tmp);
  cleanOnSignals();
  return tmp;
}

/** Every temporary this process named: a SIGINT or SIGTERM removes those still there (a
 *  finished write renamed its temporary away) before the process ends. The names carry this
 *  process's id, so no other writer's file is touched. */
const ours = new Set<string>();
let hooked = false;

function cleanOnSignals(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = (): void => {
      for (const t of ours) for (const p of [t, `${t}.old`]) rmSync(p, { recursive: true, force: true });
      // Another handler (`mm check --watch`) decides how to end; else end as the signal would.
      if (process.listenerCount(sig) > 1) return;
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

function removeStaleTemps(path: string): void {
  const dir = dirname(path), prefix = `.${basename(path)}.`;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (!e.startsWith(prefix)) continue;
    const m = /^(\d+)\.tmp(\.old)?$/.exec(e.slice(prefix.length));
    if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) rmSync(join(dir, e), { recursive: true, force: true });
  }
}

/** Whether a process exists (one of another user's counts: EPERM). Also the test suite's
 *  test for folders and locks left by a run that died. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
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
