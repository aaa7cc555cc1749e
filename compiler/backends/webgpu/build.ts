// Builds the plan: the schedule's kernels become dispatches over buffer regions. Stored
// activations get arena offsets from the memory planner (after choosing in-place writes);
// parameters and constants are packed into weights buffers of at most 128 MiB each (the
// default largest storage binding), every tensor whole inside one.
import { PLAN_FORMAT, type Plan, type PlanBuffer, type PlanDispatch, type PlanKernel, type Region } from "../../../runtime/plan.js";
import { byteSize, edgeType, gpuType, type CGraph, type CTensor } from "./graph.js";
import type { Fusion } from "./fuse.js";
import { dedupeBindings } from "./kernels/dedupe.js";
import type { Kernel } from "./kernels/kernel.js";
import { liveSpans, type LiveSpan } from "../../base/liveness.js";
import { align, placeLifetimes, type Lifetime, type Placement } from "./memory.js";
import type { ScheduledKernel } from "./schedule.js";

export const WEIGHT_CHUNK = 128 * 1024 * 1024;

export interface BuiltPlan {
  readonly plan: Plan;
  /** Where each weights tensor goes in weights.bin, to fill it. */
  readonly weightLayout: readonly { readonly tensor: CTensor; readonly fileOffset: number }[];
  readonly weightsSize: number;
  readonly lifetimes: readonly Lifetime[];
  readonly placement: Placement;
}

export function buildPlan(g: CGraph, f: Fusion, scheduled: readonly ScheduledKernel[]): BuiltPlan {
  const base = (t: number): number => f.alias.get(t) ?? t;
  const isWeight = (t: number): boolean => ["param", "const"].includes(g.tensors.get(t)!.kind);
  const outputs = new Set(g.outputs.map((o) => base(o.tensor)));
  const inputs = new Set(g.inputs.map((i) => i.tensor));
  const kernels: Kernel[] = scheduled.map((s) => s.kernel);

  const live = (key: (t: number) => number): Map<number, { first: number; last: number }> => liveness(kernels, key, isWeight, inputs, outputs);
  let span = live(base);

  // In place: a map kernel whose only loads of a dying, same-sized arena tensor are at its
  // own flat index writes its output over it.
  const shared = new Map<number, number>(); // output storage → the storage it reuses
  let inPlace = 0;
  scheduled.forEach((s, i) => {
    if (!s.map) return;
    const root = base(s.map.root);
    const bound = s.kernel.bindings.map((b) => base(b.tensor));
    const cand = [...new Set(s.map.loads.map((l) => l.tensor))].find((t) => {
      const b = base(t);
      const tt = g.tensors.get(t)!, rt = g.tensors.get(s.map!.root)!;
      return !isWeight(t) && b === t && !inputs.has(b) && !outputs.has(b) && span.get(b)?.last === i && !shared.has(b) &&
        byteSize(tt) === byteSize(rt) && gpuType(tt.dtype) === gpuType(rt.dtype) && s.map!.loads.every((l) => l.tensor !== t || l.index === "<flat>") &&
        bound.filter((x) => x === b).length === 1 && root === s.map!.root;
    });
    if (cand === undefined) return;
    kernels[i] = s.map.regen(cand);
    shared.set(root, cand);
    inPlace++;
  });
  const storage = (t: number): number => {
    let b = base(t);
    while (shared.has(b)) b = shared.get(b)!;
    return b;
  };
  // Views of one tensor bound together in a dispatch become one binding.
  kernels.forEach((k, i) => (kernels[i] = dedupeBindings(k, (t) => (isWeight(t) ? t : storage(t)))));
  span = live(storage);
  const sizeOf = new Map<number, number>();
  for (const t of g.tensors.values()) {
    const st = storage(t.id);
    if (span.has(st)) sizeOf.set(st, Math.max(sizeOf.get(st) ?? 0, Math.max(4, byteSize(t))));
  }
  const lifetimes: Lifetime[] = [...span].map(([id, s]) => ({ id, size: sizeOf.get(id)!, ...s }));
  const placement = placeLifetimes(lifetimes);

  // Weights: every parameter or constant a kernel binds, packed in first-use order.
  const weightTensors: CTensor[] = [];
  const seen = new Set<number>();
  for (const k of kernels) for (const b of k.bindings) if (isWeight(b.tensor) && !seen.has(b.tensor)) (seen.add(b.tensor), weightTensors.push(g.tensors.get(b.tensor)!));
  const buffers: PlanBuffer[] = [{ name: "arena", kind: "arena", size: Math.max(ALIGN_MIN, placement.peak) }];
  const weightRegion = new Map<number, Region>();
  const weightLayout: { tensor: CTensor; fileOffset: number }[] = [];
  let chunk = -1, used = WEIGHT_CHUNK, fileBase = 0;
  const chunkSizes: number[] = [];
  for (const t of weightTensors) {
    const size = Math.max(4, byteSize(t));
    if (used + align(size) > WEIGHT_CHUNK && used > 0) {
      if (chunk >= 0) fileBase += chunkSizes[chunk]!;
      chunk++;
      chunkSizes.push(0);
      used = 0;
    }
    weightRegion.set(t.id, { buffer: 1 + chunk, offset: used, size });
    weightLayout.push({ tensor: t, fileOffset: fileBase + used });
    used += align(size);
    chunkSizes[chunk] = used;
  }
  let fileOffset = 0;
  chunkSizes.forEach((size, c) => {
    buffers.push({ name: `weights${c}`, kind: "weights", size, fileOffset });
    fileOffset += size;
  });

  const region = (t: number): Region => {
    const w = weightRegion.get(t);
    if (w) return w;
    const st = storage(t);
    return { buffer: 0, offset: placement.offsets.get(st)!, size: Math.max(4, byteSize(g.tensors.get(t)!)) };
  };
  const kernelIndex = new Map<string, number>();
  const planKernels: PlanKernel[] = [];
  const dispatches: PlanDispatch[] = kernels.map((k0) => {
    const k = arenaReadWrite(k0, isWeight);
    let idx = kernelIndex.get(k.wgsl);
    if (idx === undefined) {
      idx = planKernels.length;
      kernelIndex.set(k.wgsl, idx);
      planKernels.push({ name: `${k.name}_${idx}`, wgsl: k.wgsl, entryPoint: "main", workgroupSize: k.workgroupSize, bindings: k.bindings.length });
    }
    return { kernel: idx, bindings: k.bindings.map((b) => region(b.tensor)), workgroups: k.workgroups, label: k.label };
  });
  const edge = (name: string, t: number) => {
    const tt = g.tensors.get(t)!;
    return { name, shape: tt.shape, dtype: edgeType(tt.dtype), region: region(t) };
  };
  const maxBinding = Math.max(0, ...dispatches.flatMap((d) => d.bindings.map((b) => b.size)));
  const maxBuffer = Math.max(...buffers.map((b) => b.size));
  const limits: Record<string, number> = {};
  if (maxBinding > 134217728) limits.maxStorageBufferBindingSize = maxBinding;
  if (maxBuffer > 268435456) limits.maxBufferSize = maxBuffer;
  const plan: Plan = {
    format: PLAN_FORMAT, version: 1, model: g.name, // whole weights buffers: any runtime reads it ...(g.task !== undefined ? { task: g.task } : {}),
    bindings: Object.fromEntries([...g.bindings].sort(([a], [b]) => a.localeCompare(b))),
    buffers, inputs: g.inputs.map((i) => edge(i.name, i.tensor)), outputs: g.outputs.map((o) => edge(o.name, o.tensor)),
    kernels: planKernels, dispatches, weightsSize: fileOffset,
    memory: { peak: placement.peak, lowerBound: placement.lowerBound, naive: placement.naive, inPlace },
    limits,
  };
  return { plan, weightLayout, weightsSize: fileOffset, lifetimes, placement };
}

const ALIGN_MIN = 256;


/** Each storage's first and last dispatch (inputs from -1, outputs to the end). */
function liveness(kernels: readonly Kernel[], key: (t: number) => number, isWeight: (t: number) => boolean,
  inputs: ReadonlySet<number>, outputs: ReadonlySet<number>): Map<number, LiveSpan> {
  const steps = kernels.map((k) => k.bindings.filter((b) => !isWeight(b.tensor)).map((b) => key(b.tensor)));
  return liveSpans(steps, [...inputs].map(key), [...outputs].map(key));
}

/** WebGPU validates usage per buffer within a dispatch: the arena cannot be both a
 *  read-only and a writable storage binding, so every arena binding is declared
 *  read_write (weights stay read-only). Ranges of one dispatch never overlap. */
function arenaReadWrite(k: Kernel, isWeight: (t: number) => boolean): Kernel {
  let wgsl = k.wgsl;
  k.bindings.forEach((b, i) => {
    if (!isWeight(b.tensor)) wgsl = wgsl.replace(`@group(0) @binding(${i}) var<storage, read> `, `@group(0) @binding(${i}) var<storage, read_write> `);
  });
  return { ...k, wgsl };
}
