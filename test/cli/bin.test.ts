// bin/mm.js as installed: `mm check` runs from its own entry (dist/mm-check.cjs, loaded with
// V8's code cache), every other command from the full CLI; both print the same diagnostics,
// help and exit codes.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mm, project } from "../helpers.js";

const BIN = join(import.meta.dirname, "../../bin/mm.js");
const bin = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

const BAD = `
model M {
  input x: [B, 8]
  forward { output y = x + zeros([B, 6]) }
}
`;

describe("bin/mm.js", () => {
  it("checks from the check entry exactly as the full CLI does", () => {
    const p = project({ "a.mm": BAD });
    const r = bin("check", p.path("a.mm"));
    const inProcess = mm("check", p.path("a.mm"));
    expect(r.status).toBe(1);
    expect(inProcess.code).toBe(1);
    expect(r.stderr).toBe(inProcess.err);
    expect(r.stderr).toMatch(/error MM\d{4}/);
  });

  it("gives the check command's help and usage errors", () => {
    expect(bin("check", "--help").stdout).toBe(mm("check", "--help").out);
    const none = bin("check");
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("give one or more .mm files or folders");
  });

  it("runs every other command from the full CLI", () => {
    const r = bin("explain", "MM1001");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(mm("explain", "MM1001").out);
  });

  // What bin/mm.js does before loading the check entry, then whether V8 took the cache.
  const loads = (cache: string): string => {
    const script = `
      const { loadCached, setCliFlags } = await import(${JSON.stringify(join(import.meta.dirname, "../../bin/code-cache.js"))});
      setCliFlags();
      const r = loadCached(${JSON.stringify(join(import.meta.dirname, "../../dist/mm-check.cjs"))}, ${JSON.stringify(cache)});
      console.log(r.cached, typeof r.exports.runCliAsync);`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    return r.stdout.trim();
  };

  it("loads the check entry with the code cache the build made", () => {
    expect(loads(join(import.meta.dirname, "../../dist/mm-check.cache"))).toBe("true function");
  });

  it("runs without a cache, or with one V8 rejects", () => {
    const p = project({});
    writeFileSync(p.path("bad.cache"), "not a code cache");
    expect(loads(p.path("bad.cache"))).toBe("false function");
    expect(loads(p.path("absent.cache"))).toBe("false function");
  });
});
