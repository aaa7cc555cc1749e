import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Dim } from "../../compiler/base/dims.js";
import { OPS, opNames } from "../../compiler/ops/index.js";
import { call, CALL_SPAN, fails, out, t } from "./harness.js";

describe("misc ops", () => {
  it.each(["stop_gradient", "identity"])("%s is the identity on types", (op) => {
    expect(out(call(op, { x: t("B T 768", "float16") }))).toBe("[B, T, 768] float16");
  });
});

describe("update_buffer", () => {
  it("is its new value, which must have the buffer's shape and dtype", () => {
    expect(out(call("update_buffer", { buffer: t("64"), value: t("64") }))).toBe("[64]");
    expect(fails("update_buffer", { buffer: t("64"), value: t("B 64") }).code).toBe("MM4001");
    expect(fails("update_buffer", { buffer: t("", "int64"), value: t("") }).code).toBe("MM4010");
  });
});

describe("the op table", () => {
  it("lists sorted names and complete metadata", () => {
    const names = opNames();
    expect(names).toEqual([...names].sort());
    expect(names.length).toBe(OPS.size);
    for (const op of OPS.values()) {
      expect(op.doc.length, op.name).toBeGreaterThan(0);
      expect(op.shapeRule.length, op.name).toBeGreaterThan(0);
      expect(new Set(op.params.map((p) => p.name)).size, op.name).toBe(op.params.length);
    }
  });
  it("composites name their decomposition", () => {
    for (const n of ["attention", "layer_norm", "rms_norm", "gelu", "softmax", "log_softmax", "linear", "cross_entropy", "normalize", "cosine_similarity"])
      expect(OPS.get(n)!.decomposition, n).toBeTruthy();
  });
  it("turns dim overflow inside a rule into MM3008 at the call", () => {
    const big = Dim.const(2 ** 30);
    const d = fails("reshape", { x: t([big, big]), shape: [-1] });
    expect(d.code).toBe("MM3008");
    expect(d.span).toEqual(CALL_SPAN);
    expect(d.message).toMatch(/1152921504606846976/);
  });
  it("every op is exercised by a test in test/ops", () => {
    const dir = fileURLToPath(new URL(".", import.meta.url));
    const src = readdirSync(dir).filter((f) => f.endsWith(".test.ts")).map((f) => readFileSync(dir + f, "utf8")).join("\n");
    const missing = opNames().filter((n) => !src.includes(`"${n}"`));
    expect(missing).toEqual([]);
  });
});
