// `mm diff --html`: the page's rows and numbers, read from its markup (the page in a browser,
// expanding and collapsing, is test/tools/html-pages.test.ts): a removed folded range carries
// the whole range's delta, totals include FLOPs, memory and active figures, model-level
// sections are there, only rows that changed in themselves are highlighted, and the page is
// one file with nothing fetched, byte-identical from run to run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mm, project } from "../helpers.js";

/** A 12-layer model and its 8-layer variant: identical layers, the last four removed. */
const DEEP = `import "std/nn/layers.mm"
import "std/nn/transformer.mm"
model Deep(depth: Int = 12) {
  embed = Linear(16, 32)
  layers = repeat depth EncoderLayer(32, 4)
  head = Linear(32, 4)
  input x: [B, 8, 16]
  forward {
    let h = embed(x)
    for layer in layers {
      h = layer(h)
    }
    output y = head(h)
  }
}
model Shallow = Deep(depth: 8)
`;

function htmlOf(a: string, b: string, dir = project({}).root): string {
  const out = `${dir}/d.html`;
  const r = mm("diff", a, b, "--html", out);
  expect(r.code, r.err).toBe(1);
  return readFileSync(out, "utf8");
}

/** The opening tag of the row for `path`. */
const rowTag = (html: string, path: string): string => new RegExp(`<tr id="r\\d+"[^>]* data-path="${path.replace(/\./g, "\\.")}"[^>]*>`).exec(html)?.[0] ?? `no row ${path}`;
const rowText = (html: string, path: string): string => {
  const at = html.indexOf(rowTag(html, path));
  return html.slice(at, html.indexOf("</tr>", at)).replace(/<[^>]+>/g, " ");
};

describe("mm diff --html", () => {
  const p = project({ "deep.mm": DEEP });
  const deep = `${p.path("deep.mm")}#Deep`;
  const shallow = `${p.path("deep.mm")}#Shallow`;

  it("gives a removed folded range the whole range's delta, not one layer's", () => {
    const j = JSON.parse(mm("diff", deep, shallow, "--json", "--depth", "3").out) as { components: { name: string; children: { name: string; params: { a: number } }[] }[] };
    const layers = j.components.find((c) => c.name === "layers")!;
    expect(layers.children.map((c) => c.name)).toEqual(["8", "9", "10", "11"]);
    const one = layers.children[0]!.params.a;
    expect(one).toBe(12_704); // EncoderLayer(32, 4): 2 LayerNorms (128), attention (4,224), MLP 32→128→32 (8,352)
    expect(mm("diff", deep, shallow).out).toContain(`- 8..11  block EncoderLayer  12,704 each`);
    const html = htmlOf(deep, shallow, p.root);
    const range = rowTag(html, "layers.8..11");
    expect(range).toContain(`data-count="4"`);
    expect(range).toContain(`data-params-delta="${-4 * one}"`);
    expect(rowText(html, "layers.8..11")).toContain("-50,816");
    expect(rowText(html, "layers.8..11")).toContain("×4");
    // Its layers are its children, hidden until the range is expanded.
    for (const i of [8, 9, 10, 11]) expect(rowTag(html, `layers.${i}`)).toMatch(/ hidden>$/);
    expect(rowTag(html, "layers")).not.toMatch(/ hidden>$/);
    expect(html).toMatch(/<tr data-total="params" data-a="153124" data-b="102308" data-delta="-50816">/);
  });

  it("is one file that fetches nothing, the same bytes every run", () => {
    const html = htmlOf(deep, shallow, p.root);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/src=|href=|https?:|@import|url\(/);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(htmlOf(deep, shallow, project({}).root)).toBe(html);
  });

  it("totals: parameters, FLOPs, weights and activations; active figures of routed experts", () => {
    const html = htmlOf("CLIP_ViT_B32", "CLIP_ViT_L14");
    for (const key of ["params", "flops", "weights", "activations"]) expect(html).toContain(`data-total="${key}"`);
    expect(html).toContain(`data-total="weights" data-a="${151_277_313 * 4}" data-b="${427_616_513 * 4}"`);
    expect(html).not.toContain(`data-total="active-params"`);
    mkdirSync("test/.tmp", { recursive: true });
    writeFileSync("test/.tmp/moe-top1-html.mm", 'import "../../examples/moe.mm"\nmodel MoE_Top1 = TinyMoEVLM(k: 1)\n');
    const moe = htmlOf("examples/moe.mm#TinyMoEVLM", "test/.tmp/moe-top1-html.mm#MoE_Top1");
    expect(moe).toContain(`data-total="active-params" data-a="333520" data-b="284368" data-delta="-49152"`);
    expect(moe).toMatch(/data-total="active-flops" data-a="\d+" data-b="\d+" data-delta="-\d+"/);
  });

  it("shows tasks, losses, stages and frozen sets", () => {
    const html = htmlOf("BLIP2_Stage1_Tiny", "BLIP2_OPT_2_7B_Tiny");
    for (const id of ["inputs", "tasks", "losses", "stages", "frozen"]) expect(html).toContain(`<table id="${id}">`);
    expect(html).toMatch(/<code>stage1 → stage2<\/code>/);
    expect(html).toMatch(/vision_model, language_model \(215,872 frozen\)/);
  });

  it("shows a changed forward's statements and calls in the row", () => {
    const html = htmlOf("test/cases/diff/contrastive.mm#CLIPLoss", "test/cases/diff/contrastive.mm#SigLIPLoss");
    expect(rowTag(html, "criterion")).toContain("hl-self");
    expect(rowText(html, "criterion")).toMatch(/forward: calls\s+−cross_entropy\s+\+cast/);
    expect(html).toContain("<ins>+ return sum(softplus(-labels * (logits + bias))) / N</ins>");
  });

  it("highlights rows that changed in themselves, not those whose shapes shifted", () => {
    const html = htmlOf("CLIP_ViT_B32", "CLIP_ViT_B16");
    expect(rowTag(html, "vision_model")).toContain("hl-self"); // patch: 32 → 16
    expect(rowTag(html, "vision_model.embeddings")).toContain("hl-self");
    // More tokens flow through the encoder and the layer norm: plain, and hidden by "changes only".
    for (const path of ["vision_model.encoder", "vision_model.pre_layrnorm", "vision_model.encoder.layers.0..11"]) {
      expect(rowTag(html, path)).toContain("hl-none ripple");
    }
    expect(rowText(html, "vision_model.pre_layrnorm")).toContain("input x: [B, 50, 768] → [B, 197, 768]");
    expect(html).toContain(`<body class="only">`);
  });
});
