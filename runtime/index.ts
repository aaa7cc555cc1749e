// mm's WebGPU runtime: load a plan written by `mm compile --target webgpu` and run it on
// any GPUDevice. Browser- and Node-safe (Node's Dawn device: runtime/node.ts).
export { checkLimits, checksum, outputLine, PlanError, PlanRunner, requiredLimits, type OutputTensor, type PlanErrorCode, type TensorData } from "./runtime.js";
export { PLAN_FORMAT, PLAN_VERSION, type EdgeDType, type GpuDType, type MemoryReport, type Plan, type PlanBuffer, type PlanDispatch, type PlanKernel, type PlanTensor, type Region, type WeightFill } from "./plan.js";
