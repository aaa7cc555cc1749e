import { describe, expect, it } from "vitest";
import { call, fails, out, t } from "./harness.js";

describe("activations", () => {
  it.each(["gelu", "quick_gelu", "silu", "sigmoid", "tanh", "softplus", "softmax", "log_softmax"])("%s keeps the shape of float inputs", (op) => {
    expect(out(call(op, { x: t("B T 768", "bfloat16") }))).toBe("[B, T, 768] bfloat16");
    expect(fails(op, { x: t("B T", "int64") }).code).toBe("MM4010");
  });
  it("relu accepts integers", () => {
    expect(out(call("relu", { x: t("B T", "int32") }))).toBe("[B, T] int32");
  });
  it("gelu approximate is none or tanh", () => {
    expect(call("gelu", { x: t("B") }).attrs).toEqual({ approximate: "none" });
    expect(call("gelu", { x: t("B"), approximate: "tanh" }).attrs).toEqual({ approximate: "tanh" });
    const d = fails("gelu", { x: t("B"), approximate: "fast" });
    expect(d.code).toBe("MM3018");
    expect(d.message).toBe("'approximate': expected \"none\" or \"tanh\", got \"fast\"");
  });
  it.each(["softmax", "log_softmax"])("%s normalizes the axis", (op) => {
    expect(call(op, { x: t("B H T T") }).attrs).toEqual({ axis: 3 });
    expect(call(op, { x: t("B H T T"), axis: 1 }).attrs).toEqual({ axis: 1 });
    expect(fails(op, { x: t("B T"), axis: 2 }).code).toBe("MM4009");
  });
});
