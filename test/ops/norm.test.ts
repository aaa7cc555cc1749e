import { describe, expect, it } from "vitest";
import { call, fails, out, t } from "./harness.js";

describe("layer_norm and rms_norm", () => {
  it("normalize the last dim", () => {
    const r = call("layer_norm", { x: t("B T 768"), weight: t("768"), bias: t("768") });
    expect(out(r)).toBe("[B, T, 768]");
    expect(r.attrs).toEqual({ eps: 1e-5, axis: 2 });
    expect(out(call("layer_norm", { x: t("B T 768") }))).toBe("[B, T, 768]");
    expect(call("rms_norm", { x: t("B T 512"), weight: t("512") }).attrs).toEqual({ eps: 1e-6, axis: 2 });
  });
  it("check weight and bias against the last dim", () => {
    const d = fails("layer_norm", { x: t("B T 768"), weight: t("512") });
    expect(d.code).toBe("MM4001");
    expect(d.message).toBe("layer_norm weight: expected [768], got [512]");
    expect(d.span.file).toBe("arg:weight");
    expect(fails("layer_norm", { x: t("B T 768"), weight: t("768"), bias: t("1 768") }).code).toBe("MM4001");
    expect(fails("rms_norm", { x: t("B T 768"), weight: t("T") }).code).toBe("MM4001");
    expect(fails("layer_norm", { x: t("B T 768"), weight: t("768", "float16") }).code).toBe("MM4010");
  });
  it("reject non-float inputs, scalars and bad eps", () => {
    expect(fails("layer_norm", { x: t("B T", "int64") }).code).toBe("MM4010");
    expect(fails("rms_norm", { x: t("") }).code).toBe("MM4008");
    expect(fails("rms_norm", { x: t("B 4"), eps: 0 }).code).toBe("MM3018");
  });
});

describe("batch_norm and group_norm", () => {
  it("batch_norm works per channel at axis 1", () => {
    const c = t("64");
    expect(out(call("batch_norm", { x: t("B 64 H W"), weight: c, bias: c, mean: c, var: c }))).toBe("[B, 64, H, W]");
    expect(fails("batch_norm", { x: t("B 64 H W"), weight: c, bias: c, mean: t("32"), var: c }).code).toBe("MM4001");
    expect(fails("batch_norm", { x: t("64"), mean: c, var: c }).code).toBe("MM4008");
  });
  it("group_norm needs groups dividing the channels", () => {
    const r = call("group_norm", { x: t("B 64 H W"), groups: 32, weight: t("64"), bias: t("64") });
    expect(out(r)).toBe("[B, 64, H, W]");
    expect(r.attrs).toEqual({ groups: 32, eps: 1e-5 });
    const d = fails("group_norm", { x: t("B 64 H W"), groups: 24 });
    expect(d.code).toBe("MM3018");
    expect(d.message).toBe("'groups': expected a divisor of the 64 channels, got 24");
    expect(fails("group_norm", { x: t("B 64 H W"), groups: 8, weight: t("32") }).code).toBe("MM4001");
  });
});

describe("normalize and cosine_similarity", () => {
  it("normalize keeps the shape", () => {
    expect(out(call("normalize", { x: t("B 512") }))).toBe("[B, 512]");
    expect(call("normalize", { x: t("B 512"), axis: 0, p: 1 }).attrs).toEqual({ axis: 0, p: 1, eps: 1e-12 });
    expect(fails("normalize", { x: t("B 512"), axis: 2 }).code).toBe("MM4009");
    expect(fails("normalize", { x: t("B 512"), p: 0 }).code).toBe("MM3018");
    expect(fails("normalize", { x: t("B 512", "int64") }).code).toBe("MM4010");
  });
  it("cosine_similarity removes the axis of the broadcast shape", () => {
    expect(out(call("cosine_similarity", { a: t("B 1 512"), b: t("1 N 512") }))).toBe("[B, N]");
    expect(fails("cosine_similarity", { a: t("B 512"), b: t("B 256") }).code).toBe("MM4003");
    expect(fails("cosine_similarity", { a: t("B 512"), b: t("B 512"), axis: 2 }).code).toBe("MM4009");
  });
});
