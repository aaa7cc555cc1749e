// `mm list` answers to every name of shared/seed/models.md (the survey's models).
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mm } from "../helpers.js";

const MODELS_MD = "../shared/seed/models.md";

/** The first column of every table row: `CLIP_ViT_B32, CLIP_ViT_B16`, `LLaVA_1_5_7B, ... (and LLaVA_13B)`. */
function namesInModelsMd(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("| name") || line.startsWith("| ---")) continue;
    const cell = line.split("|")[1]!.replace(/\(and ([^)]*)\)/, ", $1");
    for (const n of cell.split(",")) if (n.trim()) names.push(n.trim());
  }
  return names;
}

describe("models.md", () => {
  it.skipIf(!existsSync(MODELS_MD) && process.env.CI !== "true")("every named model is in `mm list`", () => {
    const wanted = namesInModelsMd(readFileSync(MODELS_MD, "utf8"));
    expect(wanted.length).toBeGreaterThan(40);
    const entries = JSON.parse(mm("list", "--json").out) as { name: string; display?: string; unpublished?: boolean }[];
    const have = new Set(entries.flatMap((e) => [e.name, e.display ?? e.name]));
    expect(wanted.filter((n) => !have.has(n))).toEqual([]);
    expect(entries.find((e) => e.display === "GPT-4V")?.unpublished).toBe(true);
    for (const n of wanted) if (n !== "GPT-4V") expect(have.has(`${n}_Tiny`), `${n}_Tiny`).toBe(true);
  });
});
