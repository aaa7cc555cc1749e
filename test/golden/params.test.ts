// `mm params --depth N` as golden files (text and JSON), and the rule the "(own)" rows keep:
// at any depth, the rows under a listed component sum to its count.
import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { describe, expect, it } from "vitest";
import type { ComponentCount, ParamReport } from "../../compiler/tools/params.js";
import { Session } from "../../compiler/driver/session.js";
import { mm } from "../helpers.js";
import { matchGolden } from "./golden.js";

const CASES: readonly [target: string, depth: number][] = [["examples/clip.mm#CLIP", 2], ["examples/clip.mm#CLIP", 3], ["examples/modality_experts.mm#TinyMultiway", 2],
  // The active column, by hand: a layer's SparseMoE holds a 64x8 gate (512) and 8 SwiGLU(64, 128)
  // experts of 3 * 64 * 128 = 24,576; active = 512 + 2 * 24,576 = 49,664 of 197,120.
  ["examples/moe.mm#TinyMoEVLM", 3]];

describe("mm params --depth (golden)", () => {
  for (const [target, depth] of CASES) {
    const name = `${basename(target.replace(/#.*/, ""), ".mm")}.${target.replace(/.*#/, "")}.depth${depth}`;
    it(`${target} --depth ${depth}`, () => {
      const text = mm("params", target, "--depth", String(depth));
      matchGolden(`test/golden/params/${name}.txt`, `exit: ${text.code}\n${text.err}${text.out}`);
      const json = mm("params", target, "--depth", String(depth), "--json");
      expect(json.code).toBe(0);
      matchGolden(`test/golden/params/${name}.json`, json.out);
    });
  }
});

describe("mm params: the rows under a component sum to it", () => {
  const session = new Session();
  const examples = readdirSync("examples").filter((f) => f.endsWith(".mm")).sort();
  const sums = (c: ComponentCount, where: string): void => {
    if (!c.children) return;
    const at = `${where} ${c.path}`;
    expect(c.children.reduce((a, k) => a + k.params, 0), at).toBe(c.params);
    expect(c.children.reduce((a, k) => a + k.trainable, 0), at).toBe(c.trainable);
    for (const k of c.children) sums(k, where);
  };
  for (const file of examples) {
    for (const model of session.models(session.load([`examples/${file}`])).map((m) => m.name)) {
      it(`${file}#${model}`, () => {
        for (const depth of [1, 2, 4]) {
          const r = mm("params", `examples/${file}#${model}`, "--depth", String(depth), "--json");
          expect(r.code).toBe(0);
          const rep = JSON.parse(r.out) as ParamReport;
          expect(rep.components.reduce((a, c) => a + (c.kind === "ema" ? 0 : c.params), 0)).toBe(rep.total);
          for (const c of rep.components) sums(c, `--depth ${depth}`);
        }
      });
    }
  }
});
