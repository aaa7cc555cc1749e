// An editor server or a long `mm check --watch` checks the same files thousands of times in
// one process: after the first rounds fill the bounded caches (interned dims, builtins),
// checking again must not keep anything. Measured with a forced GC between rounds; the bound
// is loose against the GC's noise and far below the 13–16 KB a check once leaked.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { Session } from "../../compiler/driver/session.js";
import { project } from "../helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("memory over repeated checks", () => {
  it("stays flat: under 2 KB a check after warm-up", () => {
    const p = project({
      "main.mm": `import "std/nn/layers.mm"
model Net(width: Int = 64) {
  layers = repeat 4 Linear(width, width)
  head = Linear(width, 10)
  input x: [B, width]
  forward {
    output logits: [B, 10] = head(gelu(layers(x)))
  }
}
`,
    });
    const round = (n: number): number => {
      for (let i = 0; i < n; i++) new Session().checkFiles([p.path("main.mm")]);
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    round(300); // warm-up: bounded caches fill
    const before = round(1);
    const after = round(600);
    expect((after - before) / 600).toBeLessThan(2048);
  });
});
