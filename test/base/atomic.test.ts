// Atomic writes after a kill: a run killed mid-write leaves its temporary beside the output
// (`.NAME.PID.tmp`, or `.NAME.PID.tmp.old` for a folder); the next write of the same output
// removes those whose process is gone, and leaves a live process's alone.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeDirAtomic, writeFileAtomic } from "../../compiler/base/atomic.js";
import { mm } from "../helpers.js";

const dir = mkdtempSync(join(tmpdir(), "mm-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "0"]);
  return r.pid!;
}

describe("temporaries a killed write left", () => {
  it("are removed by the next write of the same file or folder; a live process's stay", () => {
    const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      const dead = deadPid();
      const out = join(dir, "model.onnx");
      writeFileSync(join(dir, `.model.onnx.${dead}.tmp`), "half a file");
      writeFileSync(join(dir, `.model.onnx.${live.pid}.tmp`), "still writing");
      writeFileSync(join(dir, `.other.onnx.${dead}.tmp`), "another output's");
      writeFileAtomic(out, "whole");
      expect(readFileSync(out, "utf8")).toBe("whole");
      expect(existsSync(join(dir, `.model.onnx.${dead}.tmp`))).toBe(false);
      expect(existsSync(join(dir, `.model.onnx.${live.pid}.tmp`))).toBe(true);
      expect(existsSync(join(dir, `.other.onnx.${dead}.tmp`))).toBe(true);

      const plan = join(dir, "plan");
      mkdirSync(join(dir, `.plan.${dead}.tmp.old`), { recursive: true });
      mkdirSync(join(dir, `.plan.${dead}.tmp`), { recursive: true });
      writeDirAtomic(plan, (tmp) => writeFileSync(join(tmp, "plan.json"), "{}"));
      expect(existsSync(join(dir, `.plan.${dead}.tmp.old`))).toBe(false);
      expect(existsSync(join(dir, `.plan.${dead}.tmp`))).toBe(false);
    } finally {
      live.kill();
    }
  });

  it("are removed when mm compile writes the output again", () => {
    const dead = deadPid();
    const stale = join(dir, `.clip.onnx.${dead}.tmp`);
    writeFileSync(stale, "half a model");
    expect(mm("compile", "CLIP_ViT_B32_Tiny", "-o", join(dir, "clip.onnx")).code).toBe(0);
    expect(existsSync(stale)).toBe(false);
  });

  it("are removed when the process gets SIGINT or SIGTERM mid-write, and the signal still ends it", () => {
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      const out = join(dir, `signalled-${sig}.onnx`);
      // A process that has a temporary open (as a weight writer does between chunks) when
      // the signal comes; the event loop is free, so the handler runs.
      const script = `
        const { tempPathFor } = await import(${JSON.stringify(new URL("../../dist/compiler/base/atomic.js", import.meta.url).href)});
        const fs = await import("node:fs");
        fs.writeFileSync(tempPathFor(${JSON.stringify(out)}), "half");
        process.kill(process.pid, "${sig}");
        setTimeout(() => {}, 10000);`;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      expect(r.signal, r.stderr).toBe(sig);
      expect(readdirSync(dir).filter((f) => f.startsWith(`.signalled-${sig}`))).toEqual([]);
      expect(existsSync(out)).toBe(false);
    }
  });
});
