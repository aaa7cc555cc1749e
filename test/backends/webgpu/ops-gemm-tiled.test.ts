// The shared-memory GEMM variant (`gemm: "tiled"`) on the products and convolutions of the
// op tests: the same comparisons with onnxruntime as the default register kernel.
import { opSuite } from "./ops-shared.js";
import { LINALG } from "./programs-core.js";
import { LAYOUT } from "./programs-layout.js";

const convs = /model Convs \{[\s\S]*?\n\}\n/.exec(LAYOUT)![0];
await opSuite("webgpu products with shared-memory tiles", LINALG, new Map(), "tiled");
await opSuite("webgpu convolutions with shared-memory tiles", convs, new Map(), "tiled");
