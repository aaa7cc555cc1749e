// Check-only tracing memoizes structurally identical calls: same diagnostics, far fewer traces.
import { describe, expect, it } from "vitest";
import { instanceKey } from "../../compiler/check/memo.js";
import { Session } from "../../compiler/driver/session.js";
import { project } from "../helpers.js";

const SRC = `
block Linear(i: Int, o: Int) {
  param weight: [o, i]
  forward(x: [..., i]) -> [..., o] { return linear(x, weight) }
}
block Layer(w: Int) {
  a = Linear(w, w)
  forward(x: [B, T, w]) -> [B, T, w] { return x + a(x) }
}
model Deep(depth: Int = 24) {
  layers = repeat depth Layer(16)
  head = Linear(16, 3)
  input x: [B, T, 16]
  forward { output y = head(layers(x)) }
}
model Broken {
  layers = repeat 4 Layer(16)
  input x: [B, T, 8]
  forward { output y = layers(x) }
}
`;

describe("memoized checking", () => {
  it("traces each distinct call once and reports the same diagnostics as a full trace", () => {
    const p = project({ "m.mm": SRC });
    const s = new Session();
    const program = s.load([p.path("m.mm")]);
    for (const ref of s.models(program)) {
      const full = s.compile(ref, program);
      const quick = s.compile(ref, program, { checkOnly: true });
      expect(quick.diagnostics.map((d) => d.code)).toEqual(full.diagnostics.map((d) => d.code));
      if (ref.name === "Deep") {
        expect(full.checked!.graph!.nodes.filter((n) => n.op === "linear")).toHaveLength(25);
        expect(quick.checked!.graph).toBeUndefined();
      } else {
        expect(quick.diagnostics.map((d) => d.code)).toEqual(["MM4001"]);
      }
    }
  });

  it("gives an EMA teacher its student's key, so the teacher's call is not traced again", () => {
    const src = `${SRC}
model Distilled {
  student = Layer(16)
  teacher = ema(student, momentum: 0.995)
  input x: [B, T, 16]
  forward { output y = student(x) + teacher(x) }
}
model DistilledBroken {
  student = Layer(16)
  teacher = ema(student, momentum: 0.995)
  input x: [B, T, 16]
  input z: [B, T, 8]
  forward { output y = student(x) + teacher(z) }
}
`;
    const p = project({ "m.mm": src });
    const s = new Session();
    const program = s.load([p.path("m.mm")]);
    const refs = [...s.models(program)];
    const distilled = refs.find((r) => r.name === "Distilled")!;
    const root = s.compile(distilled, program, { checkOnly: true }).checked!.model.root;
    const student = root.children.get("student")!;
    const teacher = root.children.get("teacher")!;
    expect(teacher.ema).toBeDefined();
    expect(instanceKey(teacher)).toBe(instanceKey(student));
    expect(instanceKey(teacher.children.get("a")!)).toBe(instanceKey(student.children.get("a")!));
    // Both calls are checked all the same: a teacher called with the wrong shape is an error.
    const broken = refs.find((r) => r.name === "DistilledBroken")!;
    expect(s.compile(broken, program, { checkOnly: true }).diagnostics.map((d) => d.code)).toEqual(["MM4001"]);
  });
});
