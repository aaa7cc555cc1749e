import { describe, expect, it } from "vitest";
import { Dim } from "../../compiler/base/dims.js";
import { call, fails, out, t } from "./harness.js";

const B = Dim.sym("B"), T = Dim.sym("T"), n = Dim.sym("n");

describe("concat and split", () => {
  it("concat sums the axis", () => {
    const r = call("concat", { tensors: [t("B 1 768"), t("B T 768")], axis: 1 });
    expect(out(r)).toBe("[B, T + 1, 768]");
    expect(r.attrs).toEqual({ axis: 1 });
    expect(out(call("concat", { tensors: [t("B 3"), t("B 5")], axis: -1 }))).toBe("[B, 8]");
  });
  it("concat reports mismatches with MM4004", () => {
    const d = fails("concat", { tensors: [t("B 1 768"), t("B T 512")], axis: 1 });
    expect(d.code).toBe("MM4004");
    expect(d.message).toBe("concat along axis 1: tensor 1 is [B, T, 512], tensor 0 is [B, 1, 768] (dim 2: 512 vs 768)");
    expect(d.hint).toBe("only dim 1 may differ; did you mean axis: 2?");
    expect(fails("concat", { tensors: [t("B 1"), t("B 1 1")], axis: 1 }).code).toBe("MM4004");
    expect(fails("concat", { tensors: [t("B 1"), t("B 1", "float16")], axis: 1 }).code).toBe("MM4010");
    expect(fails("concat", { tensors: [], axis: 0 }).code).toBe("MM3018");
    expect(fails("concat", { tensors: [t("B 1")], axis: 2 }).code).toBe("MM4009");
  });
  it("split cuts into sized pieces", () => {
    const r = call("split", { x: t("B T 2304"), sizes: [768, 768, 768], axis: -1 });
    expect(r.outputs.map((_, i) => out(r, i))).toEqual(["[B, T, 768]", "[B, T, 768]", "[B, T, 768]"]);
    expect(r.attrs).toEqual({ axis: 2, sizes: [768, 768, 768] });
    expect(out(call("split", { x: t([B, T.mul(2)]), sizes: [T, T], axis: 1 }), 1)).toBe("[B, T]");
  });
  it("split reports sizes that do not sum to the dim", () => {
    const d = fails("split", { x: t("B 2304"), sizes: [768, 768], axis: 1 });
    expect(d.code).toBe("MM4001");
    expect(d.message).toBe("split sizes along axis 1: expected a sum of 2304, got 1536");
    expect(fails("split", { x: t("B 4"), sizes: [0, 4], axis: 1 }).code).toBe("MM3017");
  });
});

describe("slice, gather, index", () => {
  it("slices with Python semantics for constant bounds", () => {
    expect(out(call("slice", { x: t("B 10"), axis: 1, start: 2, stop: 5 }))).toBe("[B, 3]");
    expect(out(call("slice", { x: t("B 10"), axis: 1, start: -3 }))).toBe("[B, 3]");
    expect(out(call("slice", { x: t("B 10"), axis: 1, stop: 100 }))).toBe("[B, 10]");
    expect(out(call("slice", { x: t("B 10"), axis: 1, start: 1, step: 2 }))).toBe("[B, 5]");
    expect(out(call("slice", { x: t("B 10"), axis: 1, start: 8, stop: 2 }))).toBe("[B, 0]");
    expect(call("slice", { x: t("B 10"), axis: 1, start: -3 }).attrs).toEqual({ axis: 1, start: 7, stop: 10, step: 1 });
  });
  it("slices symbolic dims assuming in-range bounds", () => {
    expect(out(call("slice", { x: t("B T D"), axis: 1, start: 1 }))).toBe("[B, T - 1, D]");
    expect(out(call("slice", { x: t("B T D"), axis: 1, stop: -1 }))).toBe("[B, T - 1, D]");
    expect(out(call("slice", { x: t("B T D"), axis: 1, stop: 4 }))).toBe("[B, 4, D]");
    expect(out(call("slice", { x: t("B T D"), axis: 1, step: 2 }))).toBe("[B, (T + 1)//2, D]");
    expect(out(call("slice", { x: t([B, T.add(n)]), axis: 1, start: n }))).toBe("[B, T]");
  });
  it("rejects a non-positive step and a bad axis", () => {
    expect(fails("slice", { x: t("B 10"), axis: 1, step: 0 }).code).toBe("MM3018");
    expect(fails("slice", { x: t("B 10"), axis: 2 }).code).toBe("MM4009");
  });
  it("gather takes along an axis", () => {
    expect(out(call("gather", { x: t("V D"), indices: t("B T", "int64") }))).toBe("[B, T, D]");
    expect(out(call("gather", { x: t("B T D"), indices: t("K", "int32"), axis: 1 }))).toBe("[B, K, D]");
    expect(fails("gather", { x: t("V D"), indices: t("B T") }).code).toBe("MM4010");
    expect(fails("gather", { x: t("V D"), indices: t("B", "int64"), axis: -3 }).code).toBe("MM4009");
  });
  it("index removes the axis and checks constant positions", () => {
    const r = call("index", { x: t("B T D"), axis: 1, i: 0 });
    expect(out(r)).toBe("[B, D]");
    expect(call("index", { x: t("B 5"), axis: 1, i: -1 }).attrs).toEqual({ axis: 1, index: 4 });
    const d = fails("index", { x: t("B 5"), axis: 1, i: 5 });
    expect(d.code).toBe("MM4013");
    expect(d.message).toBe("index 5 is out of range for dim 5");
    expect(fails("index", { x: t("B 5"), axis: 1, i: -6 }).code).toBe("MM4013");
    expect(fails("index", { x: t("B 5"), axis: 2, i: 0 }).code).toBe("MM4009");
  });
  it("pad grows dims from the last one backwards", () => {
    const r = call("pad", { x: t("B C H W"), pads: [1, 1, 2, 0] });
    expect(out(r)).toBe("[B, C, H + 2, W + 2]");
    expect(r.attrs).toEqual({ pads: [0, 0, 2, 1, 0, 0, 0, 1], value: 0 });
    expect(out(call("pad", { x: t("B 10"), pads: [-2, -3] }))).toBe("[B, 5]");
    expect(fails("pad", { x: t("B 10"), pads: [1] }).code).toBe("MM3018");
    expect(fails("pad", { x: t("10"), pads: [1, 1, 1, 1] }).code).toBe("MM3018");
    expect(fails("pad", { x: t("B 4"), pads: [-2, -2] }).code).toBe("MM3017");
    expect(fails("pad", { x: t("B 4"), pads: [B, 1] }).code).toBe("MM3015");
  });
});

describe("creation and masks", () => {
  it("arange", () => {
    expect(out(call("arange", { n: T }))).toBe("[T] int64");
    expect(call("arange", { n: 5 }).attrs).toEqual({ n: 5 });
    expect(fails("arange", { n: 0 }).code).toBe("MM3017");
  });
  it("dim_value", () => {
    expect(out(call("dim_value", { n: T }))).toBe("[] int64");
    expect(out(call("dim_value", { n: T, dtype: "float32" }))).toBe("[]");
    expect(call("dim_value", { n: 7 }).attrs).toEqual({ n: 7 });
    expect((call("dim_value", { n: T }).attrs.n as Dim).toString()).toBe("T");
  });
  it("ones and zeros", () => {
    expect(out(call("ones", { shape: [B, 1, 4] }))).toBe("[B, 1, 4]");
    expect(out(call("zeros", { shape: [3], dtype: "int64" }))).toBe("[3] int64");
    expect(fails("zeros", { shape: [3, -1] }).code).toBe("MM3017");
    expect(fails("ones", { shape: [0] }).code).toBe("MM3017");
  });
  it("tril and triu", () => {
    expect(out(call("tril", { x: t("T T") }))).toBe("[T, T]");
    expect(call("triu", { x: t("B T T", "bool"), k: 1 }).attrs).toEqual({ k: 1 });
    expect(fails("tril", { x: t("T") }).code).toBe("MM4008");
    expect(fails("triu", { x: t("T") }).code).toBe("MM4008");
  });
  it("causal_mask", () => {
    expect(out(call("causal_mask", { n: T }))).toBe("[T, T] bool");
    expect(fails("causal_mask", { n: -1 }).code).toBe("MM3017");
  });
});
