// `mm check --watch`: check, then check again whenever a loaded file changes or a .mm file
// appears in a folder given on the command line. Each round is a fresh session sharing a
// parse cache (unchanged text is not parsed again) and a check cache (a model none of whose
// files changed keeps its diagnostics), so an edit costs the parse of the edited file and the
// checking of the models that reach it, with the JIT already warm.
import { watch, type FSWatcher } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { Session } from "../driver/session.js";
import { CheckCache } from "../driver/check-cache.js";
import { ParseCache } from "../driver/parse-cache.js";
import { EXIT } from "./io.js";
import type { CommandContext } from "./command.js";

/** One round: what `mm check` prints, and the files the program read. */
export type CheckRound = (session: Session) => { exit: number; sources: Iterable<string> };

/** Runs rounds until SIGINT or SIGTERM (or `stop`); returns 0, since watching ended as asked. */
export function watchCheck(ctx: CommandContext, folders: readonly string[], round: CheckRound, stop?: AbortSignal): Promise<number> {
  const parses = new ParseCache();
  const checks = new CheckCache();
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let changed = new Set<string>();

  const watchDir = (dir: string, recursive: boolean): void => {
    if (watchers.has(dir)) return;
    try {
      // Folders, not files: editors save by renaming a new file over the old one.
      const w = watch(dir, { recursive }, (_event, name) => {
        if (name === null || !String(name).endsWith(".mm")) return;
        changed.add(resolve(dir, String(name)));
        clearTimeout(timer);
        timer = setTimeout(check, 40); // one round for a burst of events (a save is several)
      });
      watchers.set(dir, w);
    } catch {
      ctx.io.err(`mm: cannot watch ${dir}\n`);
    }
  };

  const check = (): void => {
    if (changed.size > 0) {
      const names = [...changed].map((f) => relative(process.cwd(), f) || f).sort();
      ctx.io.err(`\n[watch] ${names.join(", ")} changed\n`);
      changed = new Set();
    }
    const t0 = performance.now();
    let r: ReturnType<CheckRound>;
    try {
      r = round(new Session(ctx.session.host, parses, checks, ctx.session.limits));
    } catch (e) {
      // A file given on the command line was deleted, say: report it and keep watching.
      ctx.io.err(`mm: ${e instanceof Error ? e.message : String(e)}\n[watch] watching for changes (Ctrl-C to stop)\n`);
      return;
    }
    ctx.io.err(`[watch] ${r.exit === EXIT.ok ? "ok" : "errors"} in ${Math.round(performance.now() - t0)} ms; watching for changes (Ctrl-C to stop)\n`);
    for (const f of r.sources) watchDir(dirname(f), false);
  };

  for (const d of folders) watchDir(resolve(d), true);
  check();
  return new Promise((done) => {
    const finish = (): void => {
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      process.off("SIGINT", finish);
      process.off("SIGTERM", finish);
      done(EXIT.ok);
    };
    process.on("SIGINT", finish);
    process.on("SIGTERM", finish);
    stop?.addEventListener("abort", finish);
  });
}
