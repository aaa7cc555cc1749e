// The WebGPU execution plan: what `mm compile --target webgpu` writes (plan.json next to
// weights.bin) and what the runtime loads. Plain JSON, versioned; the compiler decided
// everything in it (kernels, buffer offsets, dispatch order), so the runtime only creates
// what it lists and replays the dispatches.

export const PLAN_FORMAT = "mm-webgpu-plan";
/** The newest version this runtime reads. A plan declares the oldest version that reads it:
 *  1, or 2 when a weights buffer is filled piece by piece (`fills`). */
export const PLAN_VERSION = 2;

/** Element types on the GPU. WGSL has no 64-bit integers and no bool storage: int64 and
 *  int32 tensors live as i32, bool as u32 (0 or 1), float32 as f32. */
export type GpuDType = "f32" | "i32" | "u32";

/** A tensor's logical dtype at the plan's edge (what callers pass and get back). */
export type EdgeDType = "float32" | "int64" | "int32" | "bool";

/** A region of one of the plan's buffers. */
export interface Region {
  /** Index into `buffers`. */
  readonly buffer: number;
  /** Bytes; a multiple of the storage-offset alignment (256). */
  readonly offset: number;
  /** Bytes; a multiple of 4, never 0. */
  readonly size: number;
}

export interface PlanBuffer {
  readonly name: string;
  /** "arena": activations, inputs and outputs, placed by the memory planner;
   *  "weights": parameters and constants, filled from weights.bin at load. */
  readonly kind: "arena" | "weights";
  readonly size: number;
  /** For weights buffers: where its `size` bytes start in weights.bin. */
  readonly fileOffset?: number;
  /** For weights buffers of a version-2 plan, instead of `fileOffset`: the tensors that fill
   *  it (the rest is zeros), some stored in half precision (`--dtype keep`). */
  readonly fills?: readonly WeightFill[];
}

/** One tensor of a weights buffer, read from weights.bin at load. */
export interface WeightFill {
  /** Bytes into the buffer, and how many it fills (float32 after widening). */
  readonly offset: number;
  readonly size: number;
  /** Where its stored bytes start in weights.bin: `size` of them, or `size / 2` with `from`. */
  readonly fileOffset: number;
  /** A float32 tensor stored as float16 or bfloat16, widened (exactly) at load. */
  readonly from?: "float16" | "bfloat16";
}

export interface PlanTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: EdgeDType;
  readonly region: Region;
}

export interface PlanKernel {
  readonly name: string;
  readonly wgsl: string;
  readonly entryPoint: string;
  readonly workgroupSize: readonly [number, number, number];
  /** How many storage bindings the kernel declares (binding i is @binding(i)). */
  readonly bindings: number;
}

export interface PlanDispatch {
  /** Index into `kernels`. */
  readonly kernel: number;
  /** One region per binding of the kernel, in @binding order. */
  readonly bindings: readonly Region[];
  readonly workgroups: readonly [number, number, number];
  /** The IR nodes it computes (scope/op), for profiles and errors. */
  readonly label: string;
}

export interface MemoryReport {
  /** The arena's size: the planner's peak. */
  readonly peak: number;
  /** The largest total size of simultaneously live tensors: no plan can do better. */
  readonly lowerBound: number;
  /** Every tensor in its own buffer. */
  readonly naive: number;
  /** Outputs written over an input that died there. */
  readonly inPlace: number;
}

export interface Plan {
  readonly format: typeof PLAN_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly task?: string;
  /** The values the symbolic dims were specialised to (`--bind`). */
  readonly bindings: Readonly<Record<string, number>>;
  readonly buffers: readonly PlanBuffer[];
  readonly inputs: readonly PlanTensor[];
  readonly outputs: readonly PlanTensor[];
  readonly kernels: readonly PlanKernel[];
  readonly dispatches: readonly PlanDispatch[];
  /** Bytes of weights.bin. */
  readonly weightsSize: number;
  readonly memory: MemoryReport;
  /** Device limits the plan needs beyond WebGPU's defaults (for requestDevice). */
  readonly limits: Readonly<Record<string, number>>;
}
