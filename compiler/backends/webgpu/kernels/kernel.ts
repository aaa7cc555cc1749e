// What a kernel generator produces: WGSL specialised to the shapes, its launch, and which
// tensors its bindings read and write. The memory planner places those tensors; the plan
// builder turns bindings into buffer regions.
import type { CGraph, CNode, CTensor } from "../graph.js";
import type { GemmVariant } from "./gemm.js";

export interface KernelBinding {
  readonly tensor: number;
  readonly access: "read" | "read_write";
}

export interface Kernel {
  /** A readable name; kernels with the same WGSL are stored once in the plan. */
  readonly name: string;
  readonly wgsl: string;
  readonly workgroupSize: readonly [number, number, number];
  readonly workgroups: readonly [number, number, number];
  /** In @binding order. */
  readonly bindings: readonly KernelBinding[];
  readonly label: string;
}

/** What a generator for a non-map op (matmul, reductions, attention...) gets. */
export interface KernelContext {
  readonly g: CGraph;
  tensor(id: number): CTensor;
  /** A scratch tensor for multi-pass kernels; it lives only within this node's kernels. */
  temp(shape: readonly number[], dtype: CTensor["dtype"], name: string): number;
  /** The epilogue to apply to this node's output, if fusion gave it one: WGSL lines that
   *  compute the final value from `acc` at output coordinates, and the tensor to store. */
  readonly epilogue?: Epilogue;
  /** The GEMM kernel products use (compile option `gemm`). */
  readonly gemm: GemmVariant;
}

/** A map chain fused after a kernel (bias, activation, residual add). */
export interface Epilogue {
  /** The tensor the kernel finally writes (the chain's root). */
  readonly root: number;
  /** Emits the chain at output coordinates `coords` (flat index `flat`) with the node's
   *  own result given by the expression `acc`; returns lines, the value, and the extra
   *  tensors it loads (binding names are `ep0`, `ep1`...). */
  emit(acc: string, coords: readonly string[], flat: string): { lines: string[]; value: string; loads: readonly number[]; helpers: readonly string[] };
}

export type KernelGen = (node: CNode, ctx: KernelContext) => Kernel[];

export function attrNum(node: CNode, name: string): number {
  const v = node.attrs[name];
  if (typeof v !== "number") throw new Error(`${node.op}: attribute ${name} is not a number`);
  return v;
}

export function attrNums(node: CNode, name: string): number[] {
  const v = node.attrs[name];
  if (!Array.isArray(v)) throw new Error(`${node.op}: attribute ${name} is not a list`);
  return v.map(Number);
}
