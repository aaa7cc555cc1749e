// The interactive diagram page (`mm graph --format html`) without a browser: its script's
// `compute` (the unit and edge rules, in plain JavaScript) run in Node on the page's data
// gives the units and edges buildDiagram gives for the same view, for several models and
// views; the page is one file that fetches nothing, the same bytes every run. The page in
// Chromium (opening and closing components) is test/tools/html-pages.test.ts.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CheckedModel } from "../../compiler/check/check-model.js";
import { Session } from "../../compiler/driver/session.js";
import { buildDiagram, type Level, type ViewOptions } from "../../compiler/tools/graph/diagram.js";
import { pageData, type PageData } from "../../compiler/tools/graph/page.js";
import { PAGE_SCRIPT } from "../../compiler/tools/graph/page-script.js";
import { makeView } from "../../compiler/tools/graph/view.js";
import { mm, project } from "../helpers.js";

type Compute = (d: PageData, state: number[]) => { units: string[]; edges: { from: string; to: string; shapes: string[] }[] };

function loadCompute(): Compute {
  new Function(PAGE_SCRIPT)(); // without a document, the script only publishes compute
  return (globalThis as unknown as { mmDiagramCompute: Compute }).mmDiagramCompute;
}

const session = new Session();
function checked(spec: string): CheckedModel {
  const [file, name] = spec.includes("#") ? spec.split("#") as [string, string] : [undefined, spec];
  const program = file ? session.load([file]) : session.stdlib();
  const ref = session.models(program).find((m) => m.name === name)!;
  const c = session.compile(ref, program).checked;
  if (!c?.graph) throw new Error(`${spec} does not check`);
  return c;
}

const MODELS = ["examples/moe.mm#TinyMoEVLM", "examples/modality_experts.mm#TinyMultiway", "test/cases/graph/fusion_stack.mm#FusionStack", "BLIP2_OPT_2_7B_Tiny", "CLIP_ViT_B32_Tiny"];
const VIEWS: readonly [Level, ViewOptions][] = [
  ["model", {}], ["block", {}], ["model", { depth: 3 }], ["model", { depth: 9 }],
  ["model", { expand: ["layers.0:op"] }], ["model", { expand: ["*:op"] }], ["block", { expand: ["*.*:2"] }],
];

describe("the interactive page's compute", () => {
  const compute = loadCompute();
  for (const spec of MODELS) {
    it(`draws what buildDiagram draws: ${spec}`, () => {
      const c = checked(spec);
      let compared = 0;
      for (const [level, opts] of VIEWS) {
        const tops = [...c.model.root.children.keys()];
        const expand = (opts.expand ?? []).filter((e) => !e.startsWith("layers") || tops.includes("layers"));
        const o = { ...opts, expand };
        const d = buildDiagram(c.model, c.graph!, level, o);
        const data = pageData(c.model, c.graph!, makeView(c.model.root, level, o), d.view);
        const r = compute(data, data.instances.map((x) => x.s));
        const what = `${spec} ${level} ${JSON.stringify(o)}`;
        expect(r.units.sort(), what).toEqual(d.units.filter((u) => u.role === "component" || u.role === "op").map((u) => u.id).sort());
        const key = (e: { from: string; to: string; shapes: readonly string[] }): string => `${e.from} -> ${e.to} [${[...e.shapes].sort().join("; ")}]`;
        expect(r.edges.map(key).sort(), what).toEqual(d.edges.map(key).sort());
        compared += d.edges.length;
      }
      expect(compared).toBeGreaterThan(20);
    });
  }
});

describe("mm graph --format html", () => {
  it("is one file that fetches nothing, the same bytes every run, opened as the flags say", () => {
    const dir = project({}).root;
    const args = ["graph", "examples/moe.mm", "--expand", "layers.0", "--format", "html"];
    expect(mm(...args, "-o", `${dir}/a.html`).code).toBe(0);
    expect(mm(...args, "-o", `${dir}/b.html`).code).toBe(0);
    const page = readFileSync(`${dir}/a.html`, "utf8");
    expect(readFileSync(`${dir}/b.html`, "utf8")).toBe(page);
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).not.toMatch(/src=|href=|https?:\/\/(?!www\.w3\.org\/2000\/svg)|@import|url\((?!#)/);
    const data = JSON.parse(/<script type="application\/json" id="mm-data">([^<]*)<\/script>/.exec(page)![1]!) as PageData;
    const state = new Map(data.instances.map((x) => [x.p, x.s]));
    expect([state.get(""), state.get("layers"), state.get("layers.0"), state.get("layers.1"), state.get("vision")]).toEqual([1, 1, 1, 0, 0]);
    expect(data.instances.find((x) => x.p === "layers")).toMatchObject({ ins: "2 experts blocks", ik: "experts" });
  });
});
