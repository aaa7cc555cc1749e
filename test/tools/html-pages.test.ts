// The two interactive pages in headless Chromium (Debian's chromium driven by puppeteer-core,
// one browser for the file; nothing is fetched): `mm diff --html` opens collapsed to the
// changes, a node expands, a folded range of layers opens into its layers and closes again,
// "changes only" hides and shows rows whose shapes merely shifted, and the numbers read from
// the DOM are the range's sums; `mm graph --format html` opens a closed box into a cluster
// (the experts block inside keeps its colour), shows a component's ops, closes it again, and
// its edges carry the sliced tensor's shape. Screenshots for docs/: `npm run docs:html`.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mm } from "../helpers.js";
import { heavyLock, leanChromium } from "../heavy-lock.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const ci = process.env.CI === "true";
if (!CHROMIUM && !ci) console.warn("SKIPPING the HTML page tests: no /usr/bin/chromium (they fail instead when CI=true)");

/** 12 identical layers against 8, on longer inputs: layers 8..11 removed, shapes shift elsewhere. */
const DEEP = `import "std/nn/layers.mm"
import "std/nn/transformer.mm"
model Deep(depth: Int = 12, tokens: Int = 8) {
  embed = Linear(16, 32)
  layers = repeat depth EncoderLayer(32, 4)
  head = Linear(32, 4)
  input x: [B, tokens, 16]
  forward {
    let h = embed(x)
    for layer in layers {
      h = layer(h)
    }
    output y = head(h[:, 0])
  }
}
model Shallow = Deep(depth: 8, tokens: 12)
`;

let browser: Browser;
let release: (() => void) | undefined;
let page: Page;
const errors: string[] = [];
const dir = mkdtempSync(join(tmpdir(), "mm-html-pages-"));

async function open(file: string): Promise<void> {
  await page.goto(pathToFileURL(file).href);
}

describe.skipIf(!CHROMIUM && !ci)("HTML pages in Chromium", () => {
  beforeAll(async () => {
    expect(CHROMIUM, "chromium is required when CI=true").toBeDefined();
    release = await heavyLock();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM!, headless: true,
      args: ["--no-sandbox", "--disable-gpu", ...leanChromium(), "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 800 });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => { if (!r.url().startsWith("file:")) errors.push(`fetched ${r.url()}`); });
  }, 240_000); // it may wait for another file's Chromium (heavy-lock.ts)

  afterAll(async () => {
    await browser?.close();
    release?.();
  });

  it("mm diff --html: collapsed to the changes; expand a node, open and close a range, read the numbers", async () => {
    writeFileSync(join(dir, "deep.mm"), DEEP);
    const out = join(dir, "diff.html");
    expect(mm("diff", `${dir}/deep.mm#Deep`, `${dir}/deep.mm#Shallow`, "--html", out).code).toBe(1);
    await open(out);
    const shown = (): Promise<string[]> => page.$$eval("#tree tbody tr", (rs) => rs.filter((r) => (r as HTMLElement).offsetParent !== null).map((r) => (r as HTMLElement).dataset.path!));
    const cell = (path: string, col: number): Promise<string> => page.$eval(`#tree tr[data-path="${path}"]`, (r, c) => (r as HTMLTableRowElement).cells[c as number]!.textContent!.trim(), col);
    // Collapsed, changes only: embed changed only in shape (more tokens): hidden.
    expect(await shown()).toEqual(["layers"]);
    await page.click(`#tree tr[data-path="layers"] button.tg`);
    expect(await shown()).toEqual(["layers", "layers.8..11"]);
    // The removed range: four layers' parameters, not one's (12,704 each).
    expect(await cell("layers.8..11", 4)).toBe("-50,816");
    expect(await cell("layers", 4)).toBe("-50,816");
    expect(await page.$eval(`tr[data-total="params"]`, (r) => (r as HTMLTableRowElement).cells[3]!.textContent)).toBe("-50,816");
    await page.click(`#tree tr[data-path="layers.8..11"] button.tg`);
    expect(await shown()).toEqual(["layers", "layers.8..11", "layers.8", "layers.9", "layers.10", "layers.11"]);
    expect(await cell("layers.10", 4)).toBe("-12,704");
    await page.click(`#tree tr[data-path="layers.8..11"] button.tg`); // collapse the range
    expect(await shown()).toEqual(["layers", "layers.8..11"]);
    // All changes: embed and the layers whose shapes shifted appear (head reads one token: the same).
    await page.click("#changes-only");
    expect(await shown()).toEqual(["embed", "layers", "layers.0..7", "layers.8..11"]);
    expect(await cell("layers.0..7", 7)).toContain("[B, 8, 32] → [B, 12, 32]");
    await page.click("#changes-only");
    await page.click("#collapse-all");
    expect(await shown()).toEqual(["layers"]);
    expect(errors).toEqual([]);
  }, 60_000);

  it("mm graph --format html: open a box, show ops, close it; colours and edge shapes", async () => {
    const out = join(dir, "graph.html");
    expect(mm("graph", "examples/moe.mm", "-o", out).code).toBe(0);
    await open(out);
    await page.waitForSelector(`.box[data-path="layers"]`);
    const boxes = (): Promise<string[]> => page.$$eval(".box", (bs) => bs.map((b) => (b as HTMLElement).dataset.path!).sort());
    const clusters = (): Promise<string[]> => page.$$eval(".cluster", (cs) => cs.map((c) => (c as HTMLElement).dataset.path!).sort());
    expect(await boxes()).toEqual(["embed_tokens", "layers", "lm_head", "norm", "patch_embed", "projector", "vision"]);
    expect(await clusters()).toEqual([]);
    // The closed stack says what it holds and takes the experts' colour for its border.
    expect(await page.$eval(`.box[data-path="layers"]`, (b) => b.textContent)).toContain("contains 2 experts blocks");
    expect(await page.$eval(`.box[data-path="layers"]`, (b) => getComputedStyle(b).borderTopColor)).toBe("rgb(124, 58, 237)");
    // The edge into the logits carries the slice's shape, not lm_head's [B, 32, 1000].
    expect(await page.$eval(`path[data-edge="c:lm_head->o:output:logits"]`, (p) => (p as SVGPathElement).dataset.label)).toBe("[B, 16, 1000]");

    await page.click(`.box[data-path="layers"]`);
    expect(await clusters()).toEqual(["layers"]);
    await page.click(`.box[data-path="layers.0"]`);
    expect(await clusters()).toEqual(["layers", "layers.0"]);
    expect(await boxes()).toContain("layers.0.block_sparse_moe");
    expect(await page.$eval(`.box[data-path="layers.0.block_sparse_moe"]`, (b) => getComputedStyle(b).backgroundColor)).toBe("rgb(237, 233, 254)");
    expect(await page.$$eval("path[data-edge]", (ps) => ps.map((p) => (p as SVGPathElement).dataset.edge))).toContain("c:layers.0.post_attention_layernorm->c:layers.0.block_sparse_moe");

    // A leaf opens to its ops.
    await page.click(`.box[data-path="norm"]`);
    expect(await clusters()).toContain("norm");
    expect(await page.$$eval(`.cluster[data-path="norm"] .op`, (os) => os.length)).toBeGreaterThan(0);

    // Closing a cluster brings its box back; what was open inside it stays remembered.
    await page.click(`.cluster[data-path="layers"] > .head`);
    expect(await clusters()).toEqual(["norm"]);
    expect(await boxes()).toContain("layers");
    await page.click(`.box[data-path="layers"]`);
    expect(await clusters()).toEqual(["layers", "layers.0", "norm"]);
    await page.click("#collapse");
    expect(await clusters()).toEqual([]);
    expect(errors).toEqual([]);
  }, 60_000);
});
