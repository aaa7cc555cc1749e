import { describe, expect, it } from "vitest";
import { call, fails, out, t } from "./harness.js";

describe("matmul", () => {
  it("multiplies batched matrices, broadcasting batch dims", () => {
    expect(out(call("matmul", { a: t("B T 768"), b: t("768 512") }))).toBe("[B, T, 512]");
    expect(out(call("matmul", { a: t("B H T 64"), b: t("B H 64 T") }))).toBe("[B, H, T, T]");
    expect(out(call("matmul", { a: t("B 1 T 64"), b: t("H 64 S") }))).toBe("[B, H, T, S]");
  });
  it("handles 1-D operands like numpy", () => {
    expect(out(call("matmul", { a: t("64"), b: t("64 10") }))).toBe("[10]");
    expect(out(call("matmul", { a: t("B 10 64"), b: t("64") }))).toBe("[B, 10]");
    expect(out(call("matmul", { a: t("64"), b: t("64") }))).toBe("[]");
  });
  it("reports inner-dim mismatches with MM4002", () => {
    const d = fails("matmul", { a: t("B T 768"), b: t("512 768") });
    expect(d.code).toBe("MM4002");
    expect(d.message).toBe("matmul inner dims differ: [B, T, 768] @ [512, 768] (768 vs 512)");
    expect(d.hint).toMatch(/a @ b.T/);
    expect(fails("matmul", { a: t("64"), b: t("32") }).code).toBe("MM4002");
  });
  it("reports batch mismatches, scalars and mixed dtypes", () => {
    expect(fails("matmul", { a: t("B T 64"), b: t("T 64 8") }).code).toBe("MM4003");
    expect(fails("matmul", { a: t(""), b: t("3 4") }).code).toBe("MM4008");
    expect(fails("matmul", { a: t("3 4"), b: t("4 3", "float16") }).code).toBe("MM4010");
  });
});

describe("linear", () => {
  it("applies a PyTorch-layout weight", () => {
    const r = call("linear", { x: t("B T 768"), weight: t("3072 768"), bias: t("3072") });
    expect(out(r)).toBe("[B, T, 3072]");
    expect(r.attrs).toEqual({ bias: true });
    expect(out(call("linear", { x: t("768"), weight: t("10 768") }))).toBe("[10]");
  });
  it("reports a transposed weight", () => {
    const d = fails("linear", { x: t("B T 768"), weight: t("768 3072") });
    expect(d.code).toBe("MM4002");
    expect(d.message).toBe("matmul inner dims differ: [B, T, 768] @ [768, 3072].T (768 vs 3072)");
    expect(d.hint).toMatch(/transposed/);
  });
  it("checks rank, dtype and bias", () => {
    expect(fails("linear", { x: t("B 768"), weight: t("768") }).code).toBe("MM4008");
    expect(fails("linear", { x: t("B 768"), weight: t("10 768", "float16") }).code).toBe("MM4010");
    const d = fails("linear", { x: t("B 768"), weight: t("10 768"), bias: t("768") });
    expect(d.code).toBe("MM4001");
    expect(d.message).toBe("linear bias: expected [10], got [768]");
  });
});
