// Output files are written atomically: a temporary file beside the target, then a rename,
// so a failure never leaves a half-written file (the ONNX writer streams, see
// backends/onnx/write.ts; text outputs go through here).
import { existsSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Writes `text` to `path` atomically, keeping the mode of a file it replaces. */
export function writeAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, existsSync(path) ? { mode: statSync(path).mode } : {});
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}
