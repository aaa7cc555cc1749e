import { describe, expect, it } from "vitest";
import { Dim } from "../../compiler/base/dims.js";
import { call, fails, out, t } from "./harness.js";

const T = Dim.sym("T");

describe("reductions", () => {
  it.each(["sum", "mean", "max", "min", "prod", "logsumexp"])("%s reduces given axes or all", (op) => {
    const r = call(op, { x: t("B T D"), axes: [-1] });
    expect(out(r)).toBe("[B, T]");
    expect(r.attrs).toEqual({ axes: [2], keepdim: false });
    expect(out(call(op, { x: t("B T D"), axes: [0, 2], keepdim: true }))).toBe("[1, T, 1]");
    expect(out(call(op, { x: t("B T D") }))).toBe("[]");
  });
  it.each(["sum", "mean", "max", "min", "prod", "logsumexp"])("%s rejects bad axes", (op) => {
    expect(fails(op, { x: t("B T"), axes: [2] }).code).toBe("MM4009");
    expect(fails(op, { x: t("B T"), axes: [1, -1] }).code).toBe("MM3018");
    expect(fails(op, { x: t("B T"), axes: [T] }).code).toBe("MM3015");
  });
  it("chooses result dtypes", () => {
    expect(out(call("sum", { x: t("B T", "bool") }))).toBe("[] int64");
    expect(out(call("prod", { x: t("B", "int32") }))).toBe("[] int64");
    expect(out(call("max", { x: t("B", "int32") }))).toBe("[] int32");
    expect(out(call("sum", { x: t("B", "float16") }))).toBe("[] float16");
    expect(fails("mean", { x: t("B T", "int64") }).code).toBe("MM4010");
    expect(fails("logsumexp", { x: t("B T", "int64") }).code).toBe("MM4010");
  });
  it.each(["argmax", "argmin"])("%s gives int64 positions", (op) => {
    expect(out(call(op, { x: t("B T V"), axis: -1 }))).toBe("[B, T] int64");
    expect(out(call(op, { x: t("B T V"), axis: 1, keepdim: true }))).toBe("[B, 1, V] int64");
    expect(fails(op, { x: t("B T V"), axis: 3 }).code).toBe("MM4009");
  });
  it("cumsum", () => {
    expect(out(call("cumsum", { x: t("B T"), axis: 1 }))).toBe("[B, T]");
    expect(out(call("cumsum", { x: t("B T", "bool"), axis: 1 }))).toBe("[B, T] int64");
    expect(fails("cumsum", { x: t("B T"), axis: -3 }).code).toBe("MM4009");
  });
  it("topk gives values and indices", () => {
    const r = call("topk", { x: t("B E"), k: 2 });
    expect([out(r, 0), out(r, 1)]).toEqual(["[B, 2]", "[B, 2] int64"]);
    expect(r.attrs).toEqual({ k: 2, axis: 1 });
    expect(out(call("topk", { x: t("B 8 E"), k: 3, axis: 1 }), 1)).toBe("[B, 3, E] int64");
    const d = fails("topk", { x: t("B 8"), k: 9 });
    expect(d.code).toBe("MM4013");
    expect(fails("topk", { x: t("B 8"), k: 0 }).code).toBe("MM3017");
  });
  it("one_hot", () => {
    expect(out(call("one_hot", { indices: t("B T", "int64"), classes: 10 }))).toBe("[B, T, 10]");
    expect(out(call("one_hot", { indices: t("B", "int64"), classes: 3, dtype: "float16" }))).toBe("[B, 3] float16");
    expect(fails("one_hot", { indices: t("B T"), classes: 10 }).code).toBe("MM4010");
    expect(fails("one_hot", { indices: t("B", "int64"), classes: 0 }).code).toBe("MM3017");
  });
});
