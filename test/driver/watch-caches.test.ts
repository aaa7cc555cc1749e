// A long `--watch` session must not grow the compiler's caches: every module-level table that
// is written at run time is either a WeakMap (its entries go with the syntax objects of an
// old edit) or listed here with its bound, and a session of 200 edits keeps the measurable
// caches at their size after the first few.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { CheckCache } from "../../compiler/driver/check-cache.js";
import { ParseCache } from "../../compiler/driver/parse-cache.js";
import { Session } from "../../compiler/driver/session.js";
import { builtinCacheSize } from "../../compiler/elaborate/globals.js";
import { project } from "../helpers.js";

/** Module-level Maps and Sets that are written after start-up, with what bounds them. */
const BOUNDED: Readonly<Record<string, string>> = {
  "compiler/elaborate/globals.ts builtinCache": "builtin names only (ops, functions, dtypes, constants)",
  "compiler/base/atomic.ts ours": "temporaries of writes in flight: a finished write's entry is dropped at the next",
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("caches in a long --watch session", () => {
  it("has no module-level Map or Set written at run time but the bounded ones", () => {
    const written: string[] = [];
    for (const f of [...files("compiler"), ...files("grammar")]) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/^(?:export )?(?:const|let) (\w+)\s*(?::[^=\n]*)?=\s*new (?:Map|Set)\b/gm)) {
        const name = m[1]!;
        if (new RegExp(`\\b${name}\\.(set|add)\\(`).test(text)) written.push(`${relative(".", f)} ${name}`);
      }
    }
    expect(written.sort()).toEqual(Object.keys(BOUNDED).sort());
  });

  it("keeps the caches' sizes through 200 edits", () => {
    const lib = `
block Proj(i: Int, o: Int) {
  param weight: [o, i]
  forward(x: [B, i]) -> [B, o] { return linear(x, weight) }
}
`;
    // Every round has new names, new widths and a new structure, as a user's edits do.
    const edit = (k: number): string => `
import "./lib.mm"
block Step${k}(w: Int) {
  layers = repeat ${1 + (k % 3)} Proj(w, w)
  forward(x: [B, w]) -> [B, w] {
    let scaled_${k} = x * ${k}.0
    return layers(scaled_${k}) + unknown_name_${k % 5 === 0 ? k : 0}
  }
}
model M {
  s = Step${k}(${4 + (k % 7)})
  input x: [B, ${4 + (k % 7)}]
  forward { output y = s(x) }
}
`;
    const p = project({ "lib.mm": lib, "a.mm": edit(0) });
    const paths = [p.path("lib.mm"), p.path("a.mm")];
    const parses = new ParseCache();
    const checks = new CheckCache();
    const sizes: number[][] = [];
    for (let k = 0; k < 200; k++) {
      writeFileSync(p.path("a.mm"), edit(k));
      const r = new Session(undefined, parses, checks).checkFiles(paths);
      expect(r.diagnostics.map((d) => d.code)).toEqual(["MM2001"]); // the unknown name, every round
      sizes.push([parses.size, builtinCacheSize()]);
    }
    expect(parses.parsedCount).toBe(201); // a.mm at every edit, lib.mm once
    expect(sizes[199]).toEqual(sizes[10]);
    expect(parses.size).toBe(2);
  });
});
