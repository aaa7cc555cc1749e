import { describe, expect, it } from "vitest";
import { Dim } from "../../compiler/base/dims.js";
import { call, fails, out, t } from "./harness.js";

const B = Dim.sym("B"), T = Dim.sym("T");

describe("reshape", () => {
  it("checks the element count symbolically", () => {
    expect(out(call("reshape", { x: t("B T 768"), shape: [B, T, 12, 64] }))).toBe("[B, T, 12, 64]");
    expect(out(call("reshape", { x: t("B T 12 64"), shape: [B, T, 768] }))).toBe("[B, T, 768]");
    expect(call("reshape", { x: t("2 3 4"), shape: [6, 4] }).attrs).toEqual({ shape: [6, 4] });
  });
  it("solves one -1, symbolically too", () => {
    expect(out(call("reshape", { x: t("B T 768"), shape: [B, -1, 12, 64] }))).toBe("[B, T, 12, 64]");
    expect(out(call("reshape", { x: t("B T 768"), shape: [-1, 768] }))).toBe("[B*T, 768]");
    expect(out(call("reshape", { x: t("B 3 224 224"), shape: [B, 3, 7, 32, 7, 32] }))).toBe("[B, 3, 7, 32, 7, 32]");
  });
  it("reports count mismatches with MM4005", () => {
    const d = fails("reshape", { x: t("B T 768"), shape: [B, T, 12, 60] });
    expect(d.code).toBe("MM4005");
    expect(d.message).toBe("cannot reshape [B, T, 768] (768*B*T elements) to [B, T, 12, 60] (720*B*T elements)");
    expect(d.hint).toBe("the input has 768*B*T elements");
    expect(fails("reshape", { x: t("B T 768"), shape: [B, -1, 7] }).code).toBe("MM4005");
    expect(out(call("reshape", { x: t("B T"), shape: [T, -1] }))).toBe("[T, B]");
    expect(fails("reshape", { x: t("B T"), shape: [3, -1] }).message).toBe("cannot reshape [B, T] (B*T elements) to [3, -1] (a multiple of 3 elements)");
  });
  it("rejects two -1 and bad dims", () => {
    expect(fails("reshape", { x: t("4 4"), shape: [-1, -1] }).code).toBe("MM3018");
    expect(fails("reshape", { x: t("4 4"), shape: [0, 16] }).code).toBe("MM3017");
  });
});

describe("axis moves", () => {
  it("transpose swaps two axes (defaults: the last two)", () => {
    const r = call("transpose", { x: t("B T D") });
    expect(out(r)).toBe("[B, D, T]");
    expect(r.attrs).toEqual({ perm: [0, 2, 1] });
    expect(out(call("transpose", { x: t("B T D"), a: 0, b: -1 }))).toBe("[D, T, B]");
    expect(fails("transpose", { x: t("B T D"), a: 3, b: 0 }).code).toBe("MM4009");
    expect(fails("transpose", { x: t("B") }).code).toBe("MM4009");
  });
  it("permute", () => {
    const r = call("permute", { x: t("B C H W"), perm: [0, 2, 3, -3] });
    expect(out(r)).toBe("[B, H, W, C]");
    expect(r.attrs).toEqual({ perm: [0, 2, 3, 1] });
    expect(fails("permute", { x: t("B C H W"), perm: [0, 1, 2] }).code).toBe("MM4008");
    expect(fails("permute", { x: t("B C H"), perm: [0, 0, 1] }).code).toBe("MM3018");
    expect(fails("permute", { x: t("B C H"), perm: [0, 1, 5] }).code).toBe("MM4009");
    expect(fails("permute", { x: t("B C"), perm: [0, B] }).code).toBe("MM3015");
  });
  it("flatten", () => {
    expect(out(call("flatten", { x: t("B C H W"), start: 2 }))).toBe("[B, C, H*W]");
    expect(out(call("flatten", { x: t("B C H W") }))).toBe("[B*C*H*W]");
    expect(out(call("flatten", { x: t("B 3 4"), start: 1, end: 2 }))).toBe("[B, 12]");
    expect(out(call("flatten", { x: t("") }))).toBe("[1]");
    expect(fails("flatten", { x: t("B C H"), start: 2, end: 1 }).code).toBe("MM3018");
    expect(fails("flatten", { x: t("B C H"), start: 4 }).code).toBe("MM4009");
  });
  it("unsqueeze and squeeze", () => {
    expect(out(call("unsqueeze", { x: t("B T"), axis: 1 }))).toBe("[B, 1, T]");
    expect(out(call("unsqueeze", { x: t("B T"), axis: -1 }))).toBe("[B, T, 1]");
    expect(out(call("unsqueeze", { x: t("B T"), axis: 2 }))).toBe("[B, T, 1]");
    expect(fails("unsqueeze", { x: t("B T"), axis: 3 }).code).toBe("MM4009");
    expect(out(call("squeeze", { x: t("B 1 T"), axis: 1 }))).toBe("[B, T]");
    expect(fails("squeeze", { x: t("B 2 T"), axis: 1 }).code).toBe("MM4001");
    expect(fails("squeeze", { x: t("B T"), axis: -3 }).code).toBe("MM4009");
  });
  it("expand", () => {
    expect(out(call("expand", { x: t("1 T 1"), shape: [B, T, 8] }))).toBe("[B, T, 8]");
    expect(out(call("expand", { x: t("T 1"), shape: [4, -1, 8] }))).toBe("[4, T, 8]");
    expect(fails("expand", { x: t("T 2"), shape: [T, 8] }).code).toBe("MM4003");
    expect(fails("expand", { x: t("B T"), shape: [T] }).code).toBe("MM4008");
    expect(fails("expand", { x: t("T"), shape: [-1, T] }).code).toBe("MM3017");
  });
});
