// Model knowledge lives in .mm files: nothing in the compiler names a specific model.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const MODELS = [
  "CLIP", "ViLT", "ALBEF", "VLMo", "BLIP", "CoCa", "BEiT", "InstructBLIP", "MiniGPT", "LLaVA", "VisualGLM",
  "CogVLM", "ImageBind", "MetaTransformer", "VideoLLaMA", "LLaMA", "Vicuna", "BERT", "ViT", "OPT", "FlanT5",
  "ChatGLM", "EVA", "SlowFast", "VideoSwin", "C3D", "TSN", "MBT", "MaPLe", "PromptSRC", "TCL", "GPT",
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("architecture", () => {
  it("the compiler and grammar name no model", () => {
    const sources = [...files("compiler"), ...files("grammar")];
    const hits: string[] = [];
    for (const f of sources) {
      const text = readFileSync(f, "utf8");
      for (const m of MODELS) {
        const re = new RegExp(`\\b${m}(_|\\b)`);
        text.split("\n").forEach((line, i) => {
          if (re.test(line)) hits.push(`${f}:${i + 1}: ${m}: ${line.trim()}`);
        });
      }
    }
    expect(hits).toEqual([]);
  });

  it("keeps compiler files small", () => {
    const big = [...files("compiler"), ...files("grammar")]
      .map((f) => [f, readFileSync(f, "utf8").split("\n").length] as const)
      .filter(([, n]) => n > 400);
    expect(big).toEqual([]);
  });
});
