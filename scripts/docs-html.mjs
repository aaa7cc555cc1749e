#!/usr/bin/env node
// `npm run docs:html`: screenshots of the two interactive pages, for the docs, taken by
// headless Chromium (Debian's /usr/bin/chromium driven by puppeteer-core; nothing fetched):
//   docs/diff-html.png   mm diff CLIP_ViT_B32 CLIP_ViT_L14 --html, the vision tower's layers
//                        expanded (the added range 12..23 folded, with its sums)
//   docs/graph-html.png  mm graph examples/moe.mm --expand layers.0 --format html
// Needs `npm run build` first. Each PNG is written to a temporary file and renamed.
import { mkdtempSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import puppeteer from "puppeteer-core";
import { runCli } from "../dist/mm.js";

const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "mm-docs-html-"));
const quiet = { out: () => {}, err: (s) => process.stderr.write(s), color: false };

const diff = join(work, "diff.html");
if (runCli(["diff", "CLIP_ViT_B32", "CLIP_ViT_L14", "--html", diff], quiet) !== 1) throw new Error("mm diff failed");
const graph = join(work, "graph.html");
if (runCli(["graph", "examples/moe.mm", "--expand", "layers.0", "--format", "html", "-o", graph], quiet) !== 0) throw new Error("mm graph failed");

const browser = await puppeteer.launch({
  executablePath: chromium, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const shot = async (name) => {
    const tmp = join(work, name);
    await page.screenshot({ path: tmp, fullPage: true });
    renameSync(tmp, join("docs", name));
    console.log(`docs/${name}`);
  };
  await page.goto(pathToFileURL(diff).href);
  for (const path of ["vision_model", "vision_model.encoder", "vision_model.encoder.layers"]) await page.click(`#tree tr[data-path="${path}"] button.tg`);
  await shot("diff-html.png");
  await page.goto(pathToFileURL(graph).href);
  await page.waitForSelector(`.cluster[data-path="layers.0"]`);
  await shot("graph-html.png");
} finally {
  await browser.close();
}
