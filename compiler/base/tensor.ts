// Tensor types every stage shares: a shape of symbolic dims and a dtype, and the dtypes'
// sizes in memory.
import type { Dim } from "./dims.js";

export const DTYPES = ["float32", "float16", "bfloat16", "float64", "int64", "int32", "int8", "uint8", "bool"] as const;
export type DType = (typeof DTYPES)[number];

/** Bytes per element (raw tensor data, weights files, memory estimates). */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1,
};

export function isDType(s: string): s is DType {
  return (DTYPES as readonly string[]).includes(s);
}
export function isFloatDType(d: DType): boolean {
  return d === "float32" || d === "float16" || d === "bfloat16" || d === "float64";
}

export type Shape = readonly Dim[];

export interface TensorType {
  readonly shape: Shape;
  readonly dtype: DType;
}

export function formatShape(shape: Shape): string {
  return `[${shape.map((d) => d.toString()).join(", ")}]`;
}
export function formatTensorType(t: TensorType): string {
  return t.dtype === "float32" ? formatShape(t.shape) : `${formatShape(t.shape)} ${t.dtype}`;
}
