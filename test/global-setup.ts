// The suite's temporary folder: vitest.config.ts points TMPDIR (and so os.tmpdir(), Python's
// tempfile and Chromium) at one folder per run, which this removes when the run ends; the
// tests' own temp projects and outputs need no cleanup of their own, and a run that crashed
// leaves a folder the next run removes (its name holds the pid of a process no longer alive).
import { rmSync } from "node:fs";

export default function setup(): () => void {
  return () => {
    const dir = process.env.MM_SUITE_TMP;
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
