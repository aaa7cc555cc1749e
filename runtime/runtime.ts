// Runs a plan on any GPUDevice (a browser's, or Dawn's in Node): creates the buffers and
// pipelines the plan lists, uploads the weights once, and for each run writes the inputs,
// replays the dispatches in one compute pass and reads the outputs back. Nothing here
// depends on Node or on the DOM.
import { PLAN_FORMAT, PLAN_VERSION, type EdgeDType, type Plan, type PlanBuffer, type PlanKernel, type PlanTensor } from "./plan.js";

// GPUBufferUsage / GPUMapMode values (from the spec), so this module needs no globals.
const MAP_READ = 0x1, COPY_SRC = 0x4, COPY_DST = 0x8, STORAGE = 0x80, MODE_READ = 0x1;

export type PlanErrorCode = "format" | "limits" | "input" | "device";

/** A typed error: the plan is malformed, does not fit the device, or got bad inputs. */
export class PlanError extends Error {
  constructor(readonly code: PlanErrorCode, message: string) {
    super(message);
    this.name = "PlanError";
  }
}

export type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Uint32Array | readonly number[];

export interface OutputTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: EdgeDType;
  /** float32 → Float32Array; int64/int32 → Int32Array (values fit: they were i32 on the GPU); bool → Uint8Array. */
  readonly data: Float32Array | Int32Array | Uint8Array;
}

const DEFAULT_LIMITS: Readonly<Record<string, number>> = {
  maxStorageBufferBindingSize: 134217728, maxBufferSize: 268435456,
};

/** Limits to pass to adapter.requestDevice for this plan; throws if the adapter lacks them. */
export function requiredLimits(plan: Plan, adapter: { readonly limits: GPUSupportedLimits }): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(plan.limits)) {
    const have = (adapter.limits as unknown as Record<string, number>)[k] ?? DEFAULT_LIMITS[k] ?? 0;
    if (have < v) throw new PlanError("limits", `the plan needs ${k} = ${v}, the adapter offers ${have}`);
    out[k] = v;
  }
  return out;
}

/** Throws a PlanError naming the first device limit the plan exceeds. */
export function checkLimits(plan: Plan, limits: GPUSupportedLimits): void {
  const need = (name: keyof GPUSupportedLimits, value: number, what: string): void => {
    const have = limits[name] as number;
    if (value > have) throw new PlanError("limits", `${what} needs ${String(name)} >= ${value}; this device has ${have} (request it with requiredLimits(plan, adapter))`);
  };
  for (const b of plan.buffers) need("maxBufferSize", b.size, `buffer ${b.name}`);
  for (const d of plan.dispatches) {
    for (const r of d.bindings) need("maxStorageBufferBindingSize", r.size, d.label);
    need("maxStorageBuffersPerShaderStage", d.bindings.length, d.label);
    for (const w of d.workgroups) need("maxComputeWorkgroupsPerDimension", w, d.label);
  }
  for (const k of plan.kernels) {
    need("maxComputeInvocationsPerWorkgroup", k.workgroupSize[0] * k.workgroupSize[1] * k.workgroupSize[2], k.name);
    need("maxComputeWorkgroupSizeX", k.workgroupSize[0], k.name);
    need("maxComputeWorkgroupSizeY", k.workgroupSize[1], k.name);
  }
}

function validate(plan: Plan): void {
  if (plan.format !== PLAN_FORMAT) throw new PlanError("format", `not an mm WebGPU plan (format '${String(plan.format)}')`);
  if (!(plan.version >= 1 && plan.version <= PLAN_VERSION)) throw new PlanError("format", `plan version ${plan.version}; this runtime reads versions 1 to ${PLAN_VERSION}`);
  for (const b of plan.buffers) {
    const whole = b.fills === undefined;
    if (!whole && plan.version < 2) throw new PlanError("format", `weights buffer ${b.name} has fills, which need plan version 2`);
    for (const f of b.fills ?? []) {
      const stored = f.from === undefined ? f.size : f.size / 2;
      if (f.offset < 0 || f.size % 4 !== 0 || f.offset + f.size > b.size || f.fileOffset < 0 || f.fileOffset + stored > plan.weightsSize) {
        throw new PlanError("format", `weights buffer ${b.name}: a fill at ${f.offset} (+${f.size}) from ${f.fileOffset} leaves the buffer or weights.bin`);
      }
    }
  }
}

/** float16 bits as float32 bits (exact: every half is a float). */
function halfBits(h: number): number {
  const s = (h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 31) return (s | 0x7f800000 | (m << 13)) >>> 0;
  if (e !== 0) return (s | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return s >>> 0;
  let shift = 0, mm = m; // a subnormal half is a normal float
  while ((mm & 0x400) === 0) (mm <<= 1, shift++);
  return (s | ((113 - shift) << 23) | ((mm & 0x3ff) << 13)) >>> 0;
}

/** A weights buffer's bytes from its fills, half-precision tensors widened. */
function filled(b: PlanBuffer, file: Uint8Array): Uint8Array<ArrayBuffer> {
  const image = new Uint8Array(b.size);
  const out = new DataView(image.buffer);
  for (const f of b.fills!) {
    if (f.from === undefined) {
      image.set(file.subarray(f.fileOffset, f.fileOffset + f.size), f.offset);
      continue;
    }
    const src = new DataView(file.buffer, file.byteOffset + f.fileOffset, f.size / 2);
    for (let i = 0; i < f.size / 4; i++) {
      const h = src.getUint16(2 * i, true);
      out.setUint32(f.offset + 4 * i, f.from === "bfloat16" ? (h << 16) >>> 0 : halfBits(h), true);
    }
  }
  return image;
}

/** Converts caller data to the GPU's element type for a tensor. */
function encodeInput(t: PlanTensor, data: TensorData): ArrayBuffer {
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new PlanError("input", `input '${t.name}' has ${data.length} values; its shape [${t.shape.join(", ")}] needs ${n}`);
  if (t.dtype === "float32") {
    if (data instanceof BigInt64Array) throw new PlanError("input", `input '${t.name}' is float32, got a BigInt64Array`);
    return Float32Array.from(data as ArrayLike<number>).buffer;
  }
  if (t.dtype === "bool") return Uint32Array.from(data as ArrayLike<number>, (v) => (v ? 1 : 0)).buffer;
  return data instanceof BigInt64Array ? Int32Array.from(data, (v) => Number(v)).buffer : Int32Array.from(data as ArrayLike<number>).buffer;
}

// Compiled pipelines per device, by WGSL and entry point: plans of one model at another
// batch size, or of models sharing layers, reuse kernels, and compiling is most of a load.
const PIPELINES = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

function pipelineFor(device: GPUDevice, k: PlanKernel): Promise<GPUComputePipeline> {
  let cache = PIPELINES.get(device);
  if (!cache) PIPELINES.set(device, (cache = new Map()));
  const key = `${k.entryPoint}\n${k.wgsl}`;
  let p = cache.get(key);
  if (!p) {
    p = compilePipeline(device, k);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function compilePipeline(device: GPUDevice, k: PlanKernel): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ label: k.name, code: k.wgsl });
  try {
    return await device.createComputePipelineAsync({ label: k.name, layout: "auto", compute: { module, entryPoint: k.entryPoint } });
  } catch (e) {
    const info = await module.getCompilationInfo();
    const msgs = info.messages.filter((m) => m.type === "error").map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    throw new PlanError("device", `kernel ${k.name} does not compile on this device: ${msgs.join("; ") || (e instanceof Error ? e.message : String(e))}`);
  }
}

export class PlanRunner {
  private constructor(
    readonly plan: Plan,
    private readonly device: GPUDevice,
    private readonly buffers: GPUBuffer[],
    private readonly pipelines: GPUComputePipeline[],
    private readonly groups: GPUBindGroup[],
  ) {}

  /** Creates everything the plan needs on the device and uploads the weights. */
  static async create(device: GPUDevice, plan: Plan, weights: ArrayBuffer | ArrayBufferView): Promise<PlanRunner> {
    validate(plan);
    checkLimits(plan, device.limits);
    const bytes = weights instanceof ArrayBuffer ? new Uint8Array(weights) : new Uint8Array(weights.buffer as ArrayBuffer, weights.byteOffset, weights.byteLength);
    if (bytes.byteLength !== plan.weightsSize) throw new PlanError("format", `weights.bin has ${bytes.byteLength} bytes; the plan expects ${plan.weightsSize}`);
    device.pushErrorScope("validation");
    device.pushErrorScope("out-of-memory");
    const buffers = plan.buffers.map((b) => device.createBuffer({ label: b.name, size: b.size, usage: STORAGE | COPY_DST | COPY_SRC }));
    plan.buffers.forEach((b, i) => {
      if (b.kind !== "weights") return;
      if (b.fills !== undefined) device.queue.writeBuffer(buffers[i]!, 0, filled(b, bytes));
      else device.queue.writeBuffer(buffers[i]!, 0, bytes, b.fileOffset ?? 0, b.size);
    });
    const pipelines = await Promise.all(plan.kernels.map((k) => pipelineFor(device, k)));
    const groups = plan.dispatches.map((d) => device.createBindGroup({
      label: d.label,
      layout: pipelines[d.kernel]!.getBindGroupLayout(0),
      entries: d.bindings.map((r, i) => ({ binding: i, resource: { buffer: buffers[r.buffer]!, offset: r.offset, size: r.size } })),
    }));
    const oom = await device.popErrorScope();
    const invalid = await device.popErrorScope();
    if (oom) throw new PlanError("device", `out of GPU memory creating the plan's buffers: ${oom.message}`);
    if (invalid) throw new PlanError("device", `the device rejected the plan: ${invalid.message}`);
    return new PlanRunner(plan, device, buffers, pipelines, groups);
  }

  /** One forward pass. Inputs by name; int64 inputs may be BigInt64Array or numbers. */
  async run(inputs: Readonly<Record<string, TensorData>>): Promise<Record<string, OutputTensor>> {
    const { device, plan } = this;
    for (const name of Object.keys(inputs)) {
      if (!plan.inputs.some((t) => t.name === name)) throw new PlanError("input", `the plan has no input '${name}' (inputs: ${plan.inputs.map((t) => t.name).join(", ")})`);
    }
    for (const t of plan.inputs) {
      const data = inputs[t.name];
      if (data === undefined) throw new PlanError("input", `missing input '${t.name}' [${t.shape.join(", ")}] ${t.dtype}`);
      device.queue.writeBuffer(this.buffers[t.region.buffer]!, t.region.offset, encodeInput(t, data));
    }
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    plan.dispatches.forEach((d, i) => {
      pass.setPipeline(this.pipelines[d.kernel]!);
      pass.setBindGroup(0, this.groups[i]!);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    });
    pass.end();
    const total = plan.outputs.reduce((a, o) => a + o.region.size, 0);
    const staging = device.createBuffer({ size: Math.max(4, total), usage: MAP_READ | COPY_DST });
    let at = 0;
    for (const o of plan.outputs) {
      enc.copyBufferToBuffer(this.buffers[o.region.buffer]!, o.region.offset, staging, at, o.region.size);
      at += o.region.size;
    }
    device.queue.submit([enc.finish()]);
    await staging.mapAsync(MODE_READ);
    const host = staging.getMappedRange().slice(0);
    staging.unmap();
    staging.destroy();
    const out: Record<string, OutputTensor> = {};
    at = 0;
    for (const o of plan.outputs) {
      const n = o.shape.reduce((a, b) => a * b, 1);
      const data = o.dtype === "float32" ? new Float32Array(host, at, n)
        : o.dtype === "bool" ? Uint8Array.from(new Uint32Array(host, at, n)) : new Int32Array(host, at, n);
      out[o.name] = { name: o.name, shape: o.shape, dtype: o.dtype, data };
      at += o.region.size;
    }
    return out;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
  }
}

/** An output's sum and sum of |x|, to 6 digits: `SUM/ABS`. */
function sums(o: OutputTensor): string {
  let s = 0, a = 0;
  for (const v of o.data) {
    s += v;
    a += Math.abs(v);
  }
  return `${s.toPrecision(6)}/${a.toPrecision(6)}`;
}

/** A stable checksum of outputs (sum and sum of |x| per output, rounded) for comparing runs. */
export function checksum(outputs: Readonly<Record<string, OutputTensor>>): string {
  return Object.values(outputs).map((o) => `${o.name}:${sums(o)}`).join(" ");
}

/** One output as `mm run` prints it: `name [2, 32] float32 checksum SUM/ABS`. */
export function outputLine(o: OutputTensor): string {
  return `${o.name} [${o.shape.join(", ")}] ${o.dtype} checksum ${sums(o)}`;
}
