// WebGPU vs onnxruntime CPU: arithmetic, activations, reductions, normalisations, linear
// algebra, attention and losses (one tiny model each; attribute variants as outputs).
import { opSuite } from "./ops-shared.js";
import { ELEMENTWISE, LINALG, REDUCTIONS } from "./programs-core.js";

await opSuite("webgpu elementwise and activation ops", ELEMENTWISE);
await opSuite("webgpu reduction and normalisation ops", REDUCTIONS);
await opSuite("webgpu linear algebra, attention and loss ops", LINALG);
