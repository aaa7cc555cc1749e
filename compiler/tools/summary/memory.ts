// Memory figures of `mm summary` beyond per-component sums: the peak of live activations
// (liveness over the traced graph, with the WebGPU memory planner's code, base/liveness.ts),
// bytes at a chosen floating dtype, and a training estimate (docs/summary.md says what each
// figure means and what it leaves out).
import { liveSpans, peakLive } from "../../base/liveness.js";
import { DTYPE_SIZE, type DType } from "../../base/tensor.js";
import type { Graph } from "../../check/graph.js";
import type { Bind } from "./cost.js";

/** `--dtype` choices and the dtype each names. */
export const SUMMARY_DTYPES = { f32: "float32", f16: "float16", bf16: "bfloat16" } as const;
export type SummaryDType = (typeof SUMMARY_DTYPES)[keyof typeof SUMMARY_DTYPES];

const FLOATS: ReadonlySet<DType> = new Set(["float32", "float16", "bfloat16", "float64"]);

/** The dtype a tensor is held in when floating-point tensors are held at `at` (integer and
 *  bool tensors keep theirs). */
export function heldAs(dtype: DType, at: SummaryDType): DType {
  return FLOATS.has(dtype) ? at : dtype;
}

/** Ops whose output shares its input's storage: the WebGPU planner's views
 *  (backends/webgpu/fuse.ts), which PyTorch's eager mode also makes without a copy. */
const VIEWS = new Set(["reshape", "flatten", "squeeze", "unsqueeze", "identity", "stop_gradient", "dropout"]);

/**
 * The largest total of activation bytes alive at one node, running the traced graph in its
 * order with every op's output materialised (as in eager PyTorch): a value lives from the
 * node that makes it to its last use, outputs and losses to the end; views share their
 * input's storage; model inputs and weights are not counted (as in the sum).
 */
export function peakActivationBytes(graph: Graph, bind: Bind, at: SummaryDType): number {
  const viewOf = new Map<number, number>();
  const storage = (v: number): number => viewOf.get(v) ?? v;
  const isActivation = (v: number): boolean => graph.values[v]!.source.kind === "node";
  const steps = graph.nodes.map((n) => {
    const src = n.inputs[0];
    if (VIEWS.has(n.op) && src !== null && src !== undefined && n.outputs.length === 1) viewOf.set(n.outputs[0]!, storage(src));
    const ids: number[] = [];
    for (const v of [...n.inputs, ...n.outputs]) if (v !== null && isActivation(storage(v))) ids.push(storage(v));
    return ids;
  });
  const ends = [...graph.outputs, ...graph.losses].map((o) => storage(o.value)).filter(isActivation);
  const lives = [...liveSpans(steps, [], ends)].map(([id, span]) => {
    const t = graph.values[id]!.type;
    return { size: t.shape.reduce((a, d) => a * bind(d), 1) * DTYPE_SIZE[heldAs(t.dtype, at)], ...span };
  });
  return peakLive(lives);
}

export interface TrainMemory {
  /** Parameters trained in at least one stage (all, without stages). */
  readonly trainableParams: number;
  /** Every weight (EMA copies and buffers included) at the chosen dtype. */
  readonly weightBytes: number;
  /** One gradient per trainable parameter, at the chosen dtype. */
  readonly gradientBytes: number;
  /** Adam's two moments per trainable parameter, float32. */
  readonly optimizerBytes: number;
  /** Activations kept for the backward pass, estimated as the sum of every intermediate. */
  readonly activationBytes: number;
  readonly totalBytes: number;
  /** The same estimate for each stage's trainable set. */
  readonly stages: readonly { readonly name: string; readonly trainableParams: number; readonly totalBytes: number }[];
}

export function trainMemory(weightBytes: number, activationBytes: number, trainable: number, at: SummaryDType,
  stages: readonly { readonly name: string; readonly trainable: number }[]): TrainMemory {
  const total = (n: number): number => weightBytes + n * DTYPE_SIZE[at] + 2 * n * DTYPE_SIZE.float32 + activationBytes;
  return {
    trainableParams: trainable, weightBytes, gradientBytes: trainable * DTYPE_SIZE[at], optimizerBytes: 2 * trainable * DTYPE_SIZE.float32,
    activationBytes, totalBytes: total(trainable),
    stages: stages.map((s) => ({ name: s.name, trainableParams: s.trainable, totalBytes: total(s.trainable) })),
  };
}
