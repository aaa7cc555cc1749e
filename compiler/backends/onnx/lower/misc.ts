// Identity-shaped ops (compiler/ops/misc.ts): inference graphs carry no gradients.
import { input, unary, type Lowering } from "./build.js";

export const MISC_LOWERINGS: Readonly<Record<string, Lowering>> = {
  stop_gradient: (e, n) => unary(e, "Identity", input(n, 0)),
  identity: (e, n) => unary(e, "Identity", input(n, 0)),
  // The new value; the IR makes it the output `<buffer path>.updated` (ir/from-checked.ts).
  update_buffer: (e, n) => unary(e, "Identity", input(n, 1)),
};
