// A repeat stack of identical layers is folded (elaborate/stack.ts): its layers are made when
// read, and counting needs none of them. `mm params` of a 1e9-layer stack answers exactly,
// stage patterns that name a layer by index still count that layer apart, and a check of the
// same model reports the instance budget (MM7001) instead of running until killed.
import { describe, expect, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";
import { countParams } from "../../compiler/tools/params.js";
import { unrolledSize } from "../../compiler/elaborate/stack.js";
import { mm, project } from "../helpers.js";

const MODEL = `import "std/nn/layers.mm"
model Deep(depth: Int = 1_000_000_000) {
  layers = repeat depth Linear(4, 4)
  head = Linear(4, 2)
  input x: [B, 4]
  forward {
    output y: [B, 2] = head(layers(x))
  }
  stage probe { freeze: layers.3, layers.999_999_999 }
}
`.replace("layers.999_999_999", "layers.999999999");

describe("folded repeat stacks", () => {
  const p = project({ "deep.mm": MODEL });

  it("counts a 1e9-layer stack exactly, by stage, without unrolling it", () => {
    const s = new Session();
    const program = s.load([p.path("deep.mm")]);
    const ref = s.models(program)[0]!;
    const { model, diagnostics } = s.elaborateFolded(ref, program);
    expect(diagnostics).toEqual([]);
    expect(unrolledSize(model!.root)).toBe(1_000_000_003); // root, stack, 1e9 layers, head
    const r = countParams(model!, 2);
    expect(r.total).toBe(20 * 1_000_000_000 + 10); // 4x4 + 4 per layer; the head 4x2 + 2
    expect(r.stages[0]).toMatchObject({ name: "probe", trainable: r.total - 40, frozen: 40 });
    expect(r.components[0]!.children).toEqual([expect.objectContaining({ name: "0..999999999 (each)", params: 20 })]);
  });

  it("prints the count from the CLI, and says why the model is not checked", () => {
    const r = mm("params", p.path("deep.mm"));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("20,000,000,010");
    expect(r.err).toContain("(MM7001)");
  });

  it("makes a layer only when it is read, at its own path", () => {
    const s = new Session();
    const program = s.load([p.path("deep.mm")]);
    const { model } = s.elaborateFolded(s.models(program)[0]!, program);
    const stack = model!.root.children.get("layers")!;
    expect(stack.children.size).toBe(1_000_000_000);
    expect(stack.children.get("123456789")!.params.map((q) => q.path)).toEqual(["layers.123456789.weight", "layers.123456789.bias"]);
    expect(stack.children.get("1000000000")).toBeUndefined();
    expect(stack.children.get("007")).toBeUndefined();
  });

  it("is checked with the instance budget, as compile is", () => {
    const r = mm("check", p.path("deep.mm"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error MM7001: 'layers' \(repeat 1,000,000,000\) brings the model to 1,000,000,00\d instances/);
    // Raised, the check runs: the first layer maps [B, 4] to [B, 4], so every later layer is
    // the same call again (a fixed point) and is not traced a billion times. It still counts
    // the operations a compile would trace (MM7002), unless that budget is raised too.
    const ops = mm("check", p.path("deep.mm"), "--limit", "instances=2000000000");
    expect(ops.err).toMatch(/error MM7002: tracing this model takes more than 100,000 operations/);
    const ok = mm("check", p.path("deep.mm"), "--limit", "instances=2000000000", "--limit", "ops=10000000000");
    expect(ok.code, ok.err).toBe(0);
  });
});
