import { describe, expect, it } from "vitest";
import { headsHint } from "../../compiler/ops/nn.js";
import { call, fails, out, t } from "./harness.js";

describe("embedding and dropout", () => {
  it("embedding looks up rows", () => {
    expect(out(call("embedding", { ids: t("B T", "int64"), table: t("49408 512") }))).toBe("[B, T, 512]");
    const d = fails("embedding", { ids: t("B T"), table: t("49408 512") });
    expect(d.code).toBe("MM4010");
    expect(d.hint).toMatch(/int64/);
    expect(fails("embedding", { ids: t("B T", "int64"), table: t("512") }).code).toBe("MM4008");
  });
  it("dropout keeps the shape; p in [0, 1)", () => {
    expect(call("dropout", { x: t("B T 768"), p: 0.1 }).attrs).toEqual({ p: 0.1 });
    expect(out(call("dropout", { x: t("B T 768"), p: 0 }))).toBe("[B, T, 768]");
    expect(fails("dropout", { x: t("B"), p: 1 }).code).toBe("MM3018");
    expect(fails("dropout", { x: t("B"), p: -0.1 }).code).toBe("MM3018");
  });
});

describe("attention", () => {
  const q = t("B T 768"), kv = t("B S 768");
  it("splits heads and returns [B, Tq, Dv]", () => {
    const r = call("attention", { q, k: kv, v: t("B S 512"), heads: 8 });
    expect(out(r)).toBe("[B, T, 512]");
    expect(r.attrs).toEqual({ heads: 8, causal: false, scale: 1 / Math.sqrt(96), mask: false });
    expect(call("attention", { q, k: q, v: q, heads: 12, causal: true, scale: 0.5 }).attrs.scale).toBe(0.5);
  });
  it("accepts bool and additive masks broadcastable to [B, heads, Tq, Tk]", () => {
    expect(call("attention", { q, k: kv, v: kv, heads: 12, mask: t("B 1 1 S", "bool") }).attrs.mask).toBe(true);
    expect(out(call("attention", { q, k: kv, v: kv, heads: 12, mask: t("T S") }))).toBe("[B, T, 768]");
    const d = fails("attention", { q, k: kv, v: kv, heads: 12, mask: t("B S", "bool") });
    expect(d.code).toBe("MM4003");
    expect(d.hint).toMatch(/\[B, 1, 1, Tk\]/);
    expect(fails("attention", { q, k: kv, v: kv, heads: 12, mask: t("B 1 1 1 S", "bool") }).code).toBe("MM4008");
    expect(fails("attention", { q, k: kv, v: kv, heads: 12, mask: t("B 1 1 S", "int64") }).code).toBe("MM4010");
  });
  it("reports heads that do not divide the width with nearby divisors", () => {
    const d = fails("attention", { q, k: q, v: q, heads: 10 });
    expect(d.code).toBe("MM4007");
    expect(d.message).toBe("width 768 is not divisible by 10 heads");
    expect(d.hint).toBe("use heads: 8 or 12 (divisors of 768 near 10)");
    expect(d.span.file).toBe("arg:heads");
    expect(fails("attention", { q, k: kv, v: t("B S 100"), heads: 8 }).code).toBe("MM4007");
    expect(fails("attention", { q, k: q, v: q, heads: 0 }).code).toBe("MM3017");
    expect(headsHint(7, 3)).toBe("use heads: 1 or 7 (divisors of 7 near 3)");
    expect(headsHint(1, 2)).toBe("use heads: 1 (a divisor of 1 near 2)");
  });
  it("checks ranks, batch, widths, lengths and dtypes", () => {
    expect(fails("attention", { q: t("B H T 64"), k: kv, v: kv, heads: 8 }).code).toBe("MM4008");
    expect(fails("attention", { q, k: t("N S 768"), v: kv, heads: 8 }).code).toBe("MM4001");
    const d = fails("attention", { q, k: t("B S 512"), v: kv, heads: 8 });
    expect(d.code).toBe("MM4002");
    expect(fails("attention", { q, k: kv, v: t("B T 768"), heads: 8 }).code).toBe("MM4001");
    expect(fails("attention", { q, k: t("B S 768", "float16"), v: kv, heads: 8 }).code).toBe("MM4010");
    expect(fails("attention", { q: t("B T 768", "int64"), k: kv, v: kv, heads: 8 }).code).toBe("MM4010");
  });
});

describe("scaled_dot_product", () => {
  it("works on [..., T, d] with broadcast batch dims", () => {
    const r = call("scaled_dot_product", { q: t("B H T 64"), k: t("B H S 64"), v: t("B H S 32"), causal: true });
    expect(out(r)).toBe("[B, H, T, 32]");
    expect(r.attrs).toEqual({ causal: true, scale: 1 / 8, mask: false });
    expect(out(call("scaled_dot_product", { q: t("B H T 64"), k: t("B 1 S 64"), v: t("B 1 S 64"), mask: t("T S", "bool") }))).toBe("[B, H, T, 64]");
  });
  it("reports mismatches", () => {
    expect(fails("scaled_dot_product", { q: t("B H T 64"), k: t("B H S 32"), v: t("B H S 32") }).code).toBe("MM4002");
    expect(fails("scaled_dot_product", { q: t("B H T 64"), k: t("B H S 64"), v: t("B H T 64") }).code).toBe("MM4001");
    expect(fails("scaled_dot_product", { q: t("B H T 64"), k: t("B G S 64"), v: t("B H S 64") }).code).toBe("MM4003");
    expect(fails("scaled_dot_product", { q: t("B H T 64"), k: t("B H S 64"), v: t("B H S 64"), mask: t("S T", "bool") }).code).toBe("MM4003");
    expect(fails("scaled_dot_product", { q: t("64"), k: t("S 64"), v: t("S 64") }).code).toBe("MM4008");
  });
});
