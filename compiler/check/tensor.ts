// Tensor types as the checker sees them: a shape of symbolic dims and a dtype.
import type { Dim } from "./dims.js";

export const DTYPES = ["float32", "float16", "bfloat16", "float64", "int64", "int32", "int8", "uint8", "bool"] as const;
export type DType = (typeof DTYPES)[number];

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
