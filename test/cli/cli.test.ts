import { describe, expect, it } from "vitest";
import { mm } from "../helpers.js";

describe("mm CLI", () => {
  it("checks every example cleanly", () => {
    const r = mm("check", "examples");
    expect(r.err).toContain("0 error(s)");
    expect(r.code).toBe(0);
  });

  it("counts CLIP's parameters exactly", () => {
    const r = mm("params", "examples/clip.mm", "--model", "CLIP", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { total: number; trainable: number; components: { name: string; params: number }[] };
    expect(j.total).toBe(151_277_313);
    expect(j.trainable).toBe(151_277_313);
    const by = Object.fromEntries(j.components.map((c) => [c.name, c.params]));
    expect(by).toEqual({ vision: 87_849_216, text: 63_428_096, logit_scale: 1 });
  });

  it("prints the text table with thousands separators", () => {
    const r = mm("params", "examples/clip.mm#CLIP");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/total\s+151,277,313/);
  });

  it("applies variants: CLIP_L14 has the published 427.62M parameters", () => {
    const r = mm("params", "examples/clip.mm", "--model", "CLIP_L14", "--json");
    expect(JSON.parse(r.out).total).toBe(427_616_513);
  });

  it("asks for --model when a file has several models", () => {
    const r = mm("params", "examples/clip.mm");
    expect(r.code).toBe(2);
    expect(r.err).toContain("CLIP, CLIP_L14");
  });

  it("exits 2 on usage errors and never prints a stack trace", () => {
    for (const args of [["frobnicate"], ["check"], ["check", "no/such/file.mm"], ["params", "NoSuchModel"], ["shapes", "--bogus", "x"]]) {
      const r = mm(...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });

  it("has --help and --version everywhere", () => {
    expect(mm("--help").out).toContain("exit codes");
    expect(mm("--version").out).toMatch(/^\d+\.\d+\.\d+\n$/);
    for (const c of ["check", "shapes", "params", "list", "explain"]) {
      const r = mm(c, "--help");
      expect(r.code).toBe(0);
      expect(r.out).toContain(`usage: mm ${c}`);
      expect(mm(c, "--version").code).toBe(0);
    }
  });

  it("lists models of given files", () => {
    const r = mm("list", "examples/clip.mm", "--json");
    const names = (JSON.parse(r.out) as { name: string; base?: string }[]).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["CLIP", "CLIP_L14"]));
  });

  it("prints diagnostics as JSON with positions", () => {
    const r = mm("check", "--json", "test/cases/cli/bad_patch.mm");
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { errors: number; diagnostics: { code: string; line: number; column: number; hint?: string }[] };
    expect(j.errors).toBe(1);
    expect(j.diagnostics[0]).toMatchObject({ code: "MM3005", line: 4, column: 12 });
    expect(j.diagnostics[0]!.hint).toContain("nearest valid image: 224 or 256");
  });

  it("renders caret frames in text mode", () => {
    const r = mm("check", "test/cases/cli/bad_patch.mm");
    expect(r.err).toContain("test/cases/cli/bad_patch.mm:4:12: error MM3005");
    expect(r.err).toMatch(/\n4 \|.*\n {2}\| +\^+/);
  });
});

describe("internal errors", () => {
  it("say they are a bug in mm, how to report, and print no stack", async () => {
    const { runCli } = await import("../../compiler/cli/main.js");
    const { Session } = await import("../../compiler/driver/session.js");
    class Broken extends Session {
      override checkFiles(): never {
        throw new Error("boom");
      }
    }
    let err = "";
    const code = runCli(["check", "examples/clip.mm"], { out: () => {}, err: (s) => (err += s), color: false }, new Broken());
    expect(code).toBe(3);
    expect(err).toContain("internal compiler error: boom");
    expect(err).toContain("Please report it");
    expect(err).not.toMatch(/\n\s+at /);
  });
});
