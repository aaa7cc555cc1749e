// WebGPU vs onnxruntime CPU: layout, indexing and creation ops, convolutions, pools,
// topk and cumsum (one tiny model each; attribute variants as separate outputs).
import { opSuite } from "./ops-shared.js";
import { LAYOUT } from "./programs-layout.js";

await opSuite("webgpu layout, conv and pool ops", LAYOUT);
