import { describe, expect, it } from "vitest";
import { call, fails, out, t } from "./harness.js";

describe("convolution", () => {
  it("conv2d: ViT patch embedding and a same-padded 3x3", () => {
    const r = call("conv2d", { x: t("B 3 224 224"), weight: t("768 3 32 32"), stride: 32 });
    expect(out(r)).toBe("[B, 768, 7, 7]");
    expect(r.attrs).toEqual({ stride: [32, 32], padding: [0, 0], dilation: [1, 1], groups: 1, kernel: [32, 32], bias: false });
    expect(out(call("conv2d", { x: t("B 64 H W"), weight: t("128 64 3 3"), bias: t("128"), padding: 1 }))).toBe("[B, 128, H, W]");
  });
  it("computes symbolic output sizes", () => {
    expect(out(call("conv2d", { x: t("B 64 H W"), weight: t("64 64 3 3"), stride: 2, padding: 1 }))).toBe("[B, 64, (H + 1)//2, (W + 1)//2]");
    expect(out(call("conv1d", { x: t("B 80 L"), weight: t("512 80 3"), padding: 1, dilation: 2 }))).toBe("[B, 512, L - 2]");
    expect(out(call("conv3d", { x: t("B 3 16 224 224"), weight: t("96 3 2 16 16"), stride: [2, 16, 16] }))).toBe("[B, 96, 8, 14, 14]");
  });
  it("depthwise and grouped convolutions", () => {
    expect(out(call("conv1d", { x: t("B 64 L"), weight: t("64 1 7"), padding: 3, groups: 64 }))).toBe("[B, 64, L]");
    const d = fails("conv1d", { x: t("B 64 L"), weight: t("64 2 7"), groups: 64 });
    expect(d.code).toBe("MM4006");
    expect(d.message).toBe("conv1d expects 128 input channels, got 64");
    expect(fails("conv1d", { x: t("B 64 L"), weight: t("31 32 7"), groups: 2 }).code).toBe("MM3018");
    expect(fails("conv1d", { x: t("B 64 L"), weight: t("64 64 7"), groups: 0 }).code).toBe("MM3018");
  });
  it("reports channel mismatches with MM4006", () => {
    const d = fails("conv2d", { x: t("B 224 224 3"), weight: t("768 3 32 32"), stride: 32 });
    expect(d.code).toBe("MM4006");
    expect(d.message).toBe("conv2d expects 3 input channels, got 224");
    expect(d.span.file).toBe("arg:x");
  });
  it("reports ranks, attributes, bias and too-small inputs", () => {
    expect(fails("conv2d", { x: t("3 224 224"), weight: t("768 3 32 32") }).code).toBe("MM4008");
    expect(fails("conv2d", { x: t("B 3 224 224"), weight: t("768 3 32") }).code).toBe("MM4008");
    expect(fails("conv2d", { x: t("B 3 224 224"), weight: t("768 3 32 32"), stride: [1, 2, 3] }).code).toBe("MM3018");
    expect(fails("conv2d", { x: t("B 3 224 224"), weight: t("768 3 32 32"), stride: 0 }).code).toBe("MM3018");
    expect(fails("conv2d", { x: t("B 3 224 224"), weight: t("768 3 32 32"), padding: -1 }).code).toBe("MM3018");
    expect(fails("conv2d", { x: t("B 3 224 224"), weight: t("768 3 32 32"), bias: t("3") }).code).toBe("MM4001");
    expect(fails("conv1d", { x: t("B 3 4"), weight: t("8 3 7") }).code).toBe("MM3017");
    expect(fails("conv1d", { x: t("B 3 L", "int64"), weight: t("8 3 7") }).code).toBe("MM4010");
  });
});

describe("pooling", () => {
  it.each([
    ["max_pool1d", "B C 32", "[B, C, 16]"],
    ["max_pool2d", "B C 32 32", "[B, C, 16, 16]"],
    ["max_pool3d", "B C 8 32 32", "[B, C, 4, 16, 16]"],
    ["avg_pool1d", "C 32", "[C, 16]"],
    ["avg_pool2d", "B C 32 32", "[B, C, 16, 16]"],
    ["avg_pool3d", "B C 8 32 32", "[B, C, 4, 16, 16]"],
  ])("%s halves with kernel 2 (stride defaults to the kernel)", (op, x, want) => {
    expect(out(call(op, { x: t(x), kernel: 2 }))).toBe(want);
  });
  it.each(["max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d"])("%s rejects bad padding and rank", (op) => {
    expect(fails(op, { x: t("B C 8 8 8"), kernel: 2, padding: 2 }).code).toMatch(/MM3018|MM4008/);
    expect(fails(op, { x: t("8"), kernel: 2 }).code).toBe("MM4008");
  });
  it("pool output sizes with stride and padding, symbolic too", () => {
    const r = call("max_pool2d", { x: t("B 64 112 112"), kernel: 3, stride: 2, padding: 1 });
    expect(out(r)).toBe("[B, 64, 56, 56]");
    expect(r.attrs).toEqual({ kernel: [3, 3], stride: [2, 2], padding: [1, 1] });
    expect(out(call("max_pool1d", { x: t("B C L"), kernel: 2 }))).toBe("[B, C, L//2]");
    expect(fails("avg_pool1d", { x: t("B C L", "int64"), kernel: 2 }).code).toBe("MM4010");
    expect(fails("max_pool1d", { x: t("B C 2"), kernel: 3 }).code).toBe("MM3017");
  });
  it.each([
    ["adaptive_avg_pool1d", "B C L", "[B, C, 1]"],
    ["adaptive_avg_pool2d", "B C H W", "[B, C, 1, 1]"],
    ["adaptive_avg_pool3d", "B C D H W", "[B, C, 1, 1, 1]"],
  ])("%s fixes the output size", (op, x, want) => {
    expect(out(call(op, { x: t(x), output_size: 1 }))).toBe(want);
    expect(fails(op, { x: t(x), output_size: [1, 2, 3, 4] }).code).toBe("MM3018");
    expect(fails(op, { x: t(x), output_size: 0 }).code).toBe("MM3017");
    expect(fails(op, { x: t("B"), output_size: 1 }).code).toBe("MM4008");
  });
  it("adaptive pooling per dim", () => {
    expect(out(call("adaptive_avg_pool2d", { x: t("B C H W"), output_size: [7, 5] }))).toBe("[B, C, 7, 5]");
  });
});
