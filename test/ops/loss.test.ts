import { describe, expect, it } from "vitest";
import { call, fails, out, t } from "./harness.js";

describe("cross_entropy", () => {
  it("takes [N, C] logits and [N] targets", () => {
    const r = call("cross_entropy", { logits: t("N 1000"), targets: t("N", "int64") });
    expect(out(r)).toBe("[]");
    expect(r.attrs).toEqual({ axis: 1, ignore_index: -100, reduction: "mean", label_smoothing: 0 });
  });
  it("takes [N, C, d...] and [..., C] with axis", () => {
    expect(out(call("cross_entropy", { logits: t("N C H W"), targets: t("N H W", "int64"), reduction: "none" }))).toBe("[N, H, W]");
    expect(out(call("cross_entropy", { logits: t("B T V"), targets: t("B T", "int64"), axis: -1, reduction: "sum" }))).toBe("[]");
    expect(out(call("cross_entropy", { logits: t("V"), targets: t("", "int64"), reduction: "none" }))).toBe("[]");
    expect(out(call("cross_entropy", { logits: t("B B"), targets: t("B B"), label_smoothing: 0.1 }))).toBe("[]");
  });
  it("hints at axis: -1 for language-model logits", () => {
    const d = fails("cross_entropy", { logits: t("B T V"), targets: t("B T", "int64") });
    expect(d.code).toBe("MM4001");
    expect(d.message).toBe("cross_entropy targets for logits [B, T, V] (classes at axis 1): expected [B, V], got [B, T]");
    expect(d.hint).toBe("the classes look like the last dim: pass axis: -1");
  });
  it("reports bad targets and attributes", () => {
    expect(fails("cross_entropy", { logits: t("N C"), targets: t("N", "bool") }).code).toBe("MM4010");
    expect(fails("cross_entropy", { logits: t("N C"), targets: t("N C 1") }).code).toBe("MM4001");
    expect(fails("cross_entropy", { logits: t("N C", "int64"), targets: t("N", "int64") }).code).toBe("MM4010");
    expect(fails("cross_entropy", { logits: t("N C"), targets: t("N", "int64"), reduction: "avg" }).code).toBe("MM3018");
    expect(fails("cross_entropy", { logits: t("N C"), targets: t("N", "int64"), label_smoothing: 1.5 }).code).toBe("MM3018");
    expect(fails("cross_entropy", { logits: t("N C"), targets: t("N", "int64"), axis: 2 }).code).toBe("MM4009");
    expect(fails("cross_entropy", { logits: t(""), targets: t("", "int64") }).code).toBe("MM4008");
  });
});

describe("pairwise losses", () => {
  it.each([
    ["binary_cross_entropy_with_logits", "x", "y"],
    ["kl_div", "log_p", "q"],
    ["mse", "a", "b"],
  ])("%s needs equal shapes", (op, a, b) => {
    expect(out(call(op, { [a]: t("B N"), [b]: t("B N") }))).toBe("[]");
    expect(out(call(op, { [a]: t("B N"), [b]: t("B N"), reduction: "none" }))).toBe("[B, N]");
    const d = fails(op, { [a]: t("B N"), [b]: t("B 1") });
    expect(d.code).toBe("MM4001");
    expect(d.span.file).toBe(`arg:${b}`);
    expect(fails(op, { [a]: t("B N"), [b]: t("B N", "int64") }).code).toBe("MM4010");
    expect(fails(op, { [a]: t("B N"), [b]: t("B N"), reduction: "max" }).code).toBe("MM3018");
  });
  it("kl_div defaults to batchmean", () => {
    expect(call("kl_div", { log_p: t("B N"), q: t("B N") }).attrs).toEqual({ reduction: "batchmean" });
  });
});
