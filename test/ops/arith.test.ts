import { describe, expect, it } from "vitest";
import { promote, scalarOperand } from "../../compiler/ops/index.js";
import { call, fails, out, t } from "./harness.js";

describe("binary elementwise", () => {
  it.each(["add", "sub", "mul", "pow", "maximum", "minimum"])("%s broadcasts", (op) => {
    expect(out(call(op, { a: t("B T 768"), b: t("768") }))).toBe("[B, T, 768]");
    expect(out(call(op, { a: t("B 1 T"), b: t("5 1") }))).toBe("[B, 5, T]");
  });
  it.each(["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"])("%s reports MM4003 on a broadcast mismatch", (op) => {
    const d = fails(op, { a: t("B T 768"), b: t("B 768 T") });
    expect(d.code).toBe("MM4003");
    expect(d.message).toBe("shapes [B, T, 768] and [B, 768, T] do not broadcast (dim T vs 768)");
    expect(d.hint).toMatch(/transpose or reshape one side/);
    expect(d.span.file).toBe("arg:b");
    expect(d.related[0]!.span.file).toBe("arg:a");
  });
  it("symbolic unequal dims do not broadcast", () => {
    expect(fails("add", { a: t("B T"), b: t("T B") }).code).toBe("MM4003");
  });
  it("promotes dtypes like PyTorch", () => {
    expect(out(call("add", { a: t("3", "int64"), b: t("3") }))).toBe("[3]");
    expect(out(call("mul", { a: t("3", "float16"), b: t("3", "float16") }))).toBe("[3] float16");
    expect(out(call("add", { a: t("3", "int32"), b: t("3", "int64") }))).toBe("[3] int64");
    expect(out(call("div", { a: t("3", "int64"), b: t("3", "int64") }))).toBe("[3]");
    expect(out(call("div", { a: t("3", "bfloat16"), b: t("3", "bfloat16") }))).toBe("[3] bfloat16");
    expect(promote("float16", "bfloat16")).toBe("float32");
    expect(promote("bool", "int32")).toBe("int32");
    expect(promote("int8", "uint8")).toBe("int32");
    expect(promote("float64", "float16")).toBe("float64");
  });
  it("scalar operands adopt the tensor's dtype", () => {
    expect(scalarOperand(0.5, t("3", "float16")).dtype).toBe("float16");
    expect(scalarOperand(2, t("3", "int32")).dtype).toBe("int32");
    expect(scalarOperand(0.5, t("3", "int64")).dtype).toBe("float32");
    expect(scalarOperand(1, t("3", "bool")).dtype).toBe("int64");
    expect(scalarOperand(1, t("3")).shape).toEqual([]);
  });
});

describe("comparisons and logic", () => {
  it.each(["eq", "ne", "lt", "le", "gt", "ge"])("%s gives bool", (op) => {
    expect(out(call(op, { a: t("B T"), b: t("") }))).toBe("[B, T] bool");
  });
  it.each(["logical_and", "logical_or"])("%s needs bool masks", (op) => {
    expect(out(call(op, { a: t("B 1", "bool"), b: t("T", "bool") }))).toBe("[B, T] bool");
    expect(fails(op, { a: t("B", "bool"), b: t("B") }).code).toBe("MM4010");
  });
  it("logical_not", () => {
    expect(out(call("logical_not", { x: t("B", "bool") }))).toBe("[B] bool");
    expect(fails("logical_not", { x: t("B", "int64") }).code).toBe("MM4010");
  });
  it("where", () => {
    expect(out(call("where", { cond: t("T T", "bool"), a: t("B T T"), b: t("") }))).toBe("[B, T, T]");
    expect(fails("where", { cond: t("T T"), a: t("B T T"), b: t("") }).code).toBe("MM4010");
    expect(fails("where", { cond: t("T 5", "bool"), a: t("B T T"), b: t("") }).code).toBe("MM4003");
  });
});

describe("unary", () => {
  it.each(["exp", "log", "sqrt", "rsqrt", "sin", "cos", "erf"])("%s keeps shape, floats integers", (op) => {
    expect(out(call(op, { x: t("B 3", "float16") }))).toBe("[B, 3] float16");
    expect(out(call(op, { x: t("B 3", "int64") }))).toBe("[B, 3]");
  });
  it.each(["neg", "abs"])("%s keeps dtype, rejects bool", (op) => {
    expect(out(call(op, { x: t("B 3", "int32") }))).toBe("[B, 3] int32");
    expect(fails(op, { x: t("B", "bool") }).code).toBe("MM4010");
  });
  it("cast", () => {
    const r = call("cast", { x: t("B T"), dtype: "bfloat16" });
    expect(out(r)).toBe("[B, T] bfloat16");
    expect(r.attrs).toEqual({ dtype: "bfloat16" });
  });
  it("clamp", () => {
    expect(out(call("clamp", { x: t("B"), min: 0 }))).toBe("[B]");
    expect(call("clamp", { x: t("B"), min: -1, max: 1 }).attrs).toEqual({ min: -1, max: 1 });
    expect(fails("clamp", { x: t("B") }).code).toBe("MM3018");
    expect(fails("clamp", { x: t("B"), min: 2, max: 1 }).code).toBe("MM3018");
  });
  it("masked_fill", () => {
    expect(out(call("masked_fill", { x: t("B H T T"), mask: t("T T", "bool"), value: -1e9 }))).toBe("[B, H, T, T]");
    expect(fails("masked_fill", { x: t("B H T T"), mask: t("T T"), value: 0 }).code).toBe("MM4010");
    expect(fails("masked_fill", { x: t("B T"), mask: t("T B", "bool"), value: 0 }).code).toBe("MM4003");
    // The mask may not grow x.
    expect(fails("masked_fill", { x: t("T"), mask: t("B T", "bool"), value: 0 }).code).toBe("MM4003");
  });
});
