// The playground in headless Chromium (Debian's chromium, driven by puppeteer-core; nothing is
// downloaded): the built page loads the compiler in its worker and checks the example; typing
// an error shows the squiggle and the message, undoing it clears them and the params table and
// diagram appear; the example runs on the browser's WebGPU (SwiftShader) and prints the
// checksum `mm run` prints for the same file. A screenshot goes to dist/playground.png.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a build script in plain JavaScript
import { buildPlayground, servePlayground } from "../../scripts/playground.mjs";
import { heavyLock, leanChromium } from "../heavy-lock.js";

const ROOT = join(import.meta.dirname, "..", "..");
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const ci = process.env.CI === "true";
if (!CHROMIUM && !ci) console.warn("SKIPPING the playground test: no /usr/bin/chromium (it fails instead when CI=true)");
const EXAMPLE = readFileSync(join(ROOT, "playground", "example.mm"), "utf8");

let server: Server;
let browser: Browser;
let release: (() => void) | undefined;
let page: Page;
const errors: string[] = [];

const statusText = (): Promise<string> => page.$eval("#status", (e) => e.textContent ?? "");
/** Places the cursor at the end of `needle`'s `nth` occurrence in the editor. */
async function cursorAfter(needle: string): Promise<void> {
  await page.evaluate((n) => {
    const { view } = (window as unknown as { mmPlayground: { view: { state: { doc: { toString(): string } }; dispatch(t: unknown): void; focus(): void } } }).mmPlayground;
    const at = view.state.doc.toString().indexOf(n) + n.length;
    view.dispatch({ selection: { anchor: at } });
    view.focus();
  }, needle);
}

describe.skipIf(!CHROMIUM && !ci)("the playground", () => {
  beforeAll(async () => {
    expect(CHROMIUM, "chromium is required when CI=true").toBeDefined();
    const dir = await buildPlayground(join(mkdtempSync(join(tmpdir(), "mm-playground-")), "site")) as string;
    server = await servePlayground(dir, 0) as Server;
    release = await heavyLock();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM!, headless: true,
      args: ["--no-sandbox", "--enable-unsafe-webgpu", ...leanChromium(["Vulkan"]), "--use-angle=swiftshader", "--use-webgpu-adapter=swiftshader",
        "--disable-gpu-sandbox", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 760 });
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  }, 300_000); // it may wait for another file's Chromium (heavy-lock.ts)

  afterAll(async () => {
    await browser?.close();
    release?.();
    server?.close();
  });

  it("checks the example in its worker, then shows a typed error and clears it when fixed", async () => {
    await page.waitForFunction(() => /^ok in/.test(document.querySelector("#status")?.textContent ?? ""), { timeout: 60_000 });
    expect(await page.$$(".cm-lintRange-error")).toHaveLength(0);
    await cursorAfter("head = Linear(width");
    await page.keyboard.type(" + 1");
    // Wait for the check of the whole edit: on a loaded machine the worker may first check
    // a half-typed text (`width +`, a syntax error) and squiggle that.
    await page.waitForFunction(() => /MM4001/.test(document.querySelector("#problems")?.textContent ?? ""), { timeout: 30_000 });
    await page.waitForSelector(".cm-lintRange-error", { timeout: 30_000 });
    expect(await statusText()).toBe("1 error");
    expect(await page.$eval("#problems", (e) => e.textContent)).toMatch(/MM4001 \d+:\d+ input 'x' of head \(Linear\): expected \[\.\.\., 33\], got \[B, 32\]/);
    for (let i = 0; i < 4; i++) await page.keyboard.press("Backspace");
    await page.waitForFunction(() => /^ok in/.test(document.querySelector("#status")?.textContent ?? ""), { timeout: 30_000 });
    expect(await page.$$(".cm-lintRange-error")).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { mmPlayground: { view: { state: { doc: { toString(): string } } } } }).mmPlayground.view.state.doc.toString())).toBe(EXAMPLE);
  }, 90_000);

  it("shows a tensor's shape on hover", async () => {
    const at = await page.evaluate(() => {
      const { view } = (window as unknown as { mmPlayground: { view: { state: { doc: { toString(): string } }; coordsAtPos(p: number): { left: number; top: number; bottom: number } | null } } }).mmPlayground;
      const c = view.coordsAtPos(view.state.doc.toString().indexOf("let tokens") + 6)!;
      return { x: c.left + 2, y: (c.top + c.bottom) / 2 };
    });
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector(".cm-tooltip-hover", { timeout: 30_000 });
    expect(await page.$eval(".cm-tooltip-hover", (e) => e.textContent)).toBe("tokens: [B, T + 16, 32]");
    await page.mouse.move(5, 5);
  }, 60_000);

  it("shows the params table and the diagram of the model", async () => {
    await page.waitForSelector("[data-testid=params-table]", { timeout: 30_000 });
    const table = await page.$eval("[data-testid=params-table]", (e) => e.textContent ?? "");
    expect(table).toContain("total18,058");
    await page.waitForSelector("#diagram svg", { timeout: 60_000 });
    await page.click("nav button[data-tab=diagram]");
    expect(await page.$eval("#diagram svg", (e) => e.textContent ?? "")).toMatch(/patch/);
    expect(await page.$eval("#summary pre", (e) => e.textContent ?? "")).toMatch(/Toy/);
    // The diff of the editor's model against a stdlib one.
    await page.click("nav button[data-tab=diff]");
    await page.type("#diff-b", "CLIP_ViT_B32_Tiny");
    await page.click("#diff-go");
    await page.waitForFunction(() => /parameters/.test(document.querySelector("#diff pre")?.textContent ?? ""), { timeout: 60_000 });
    expect(await page.$eval("#diff pre", (e) => e.textContent ?? "")).toMatch(/parameters\s+18,058 → /);
  }, 90_000);

  it("runs the example on WebGPU with the checksum mm run prints", async () => {
    await page.click("nav button[data-tab=run]");
    await page.click("#run-go");
    await page.waitForFunction(() => /checksum|cannot run/.test(document.querySelector("#run-out")?.textContent ?? ""), { timeout: 120_000 });
    const got = await page.$eval("#run-out", (e) => e.textContent ?? "");
    expect(got).not.toMatch(/cannot run/);
    const dir = mkdtempSync(join(tmpdir(), "mm-playground-run-"));
    try {
      writeFileSync(join(dir, "toy.mm"), EXAMPLE);
      const r = spawnSync(process.execPath, [join(ROOT, "bin", "mm.js"), "run", join(dir, "toy.mm")], { encoding: "utf8", env: { ...process.env, VK_ICD_FILENAMES: "/usr/lib/chromium/vk_swiftshader_icd.json" } });
      expect(r.status, r.stderr).toBe(0);
      const line = (s: string): string => /logits \[2, 10\] float32 checksum \S+/.exec(s)?.[0] ?? `no logits line in: ${s}`;
      expect(line(got)).toBe(line(r.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await page.click("nav button[data-tab=diagram]");
    await page.screenshot({ path: join(ROOT, "dist", "playground.png") });
    expect(errors).toEqual([]);
  }, 180_000);
});
