// The ONNX protobuf types (onnx-proto, protobufjs static code) and small builders for
// tensors, value infos and attributes. onnx-proto is CommonJS without named exports that
// Node's ESM loader can see, so it is imported whole and re-exported here.
import pkg from "onnx-proto";
import type { onnx as OnnxNs } from "onnx-proto";
import type { Dim } from "../../base/dims.js";
import type { DType, TensorType } from "../../base/tensor.js";
import { encodeData } from "../../base/encode.js";

export const onnx: typeof OnnxNs = pkg.onnx;
export type ModelProto = OnnxNs.IModelProto;
export type GraphProto = OnnxNs.IGraphProto;
export type NodeProto = OnnxNs.INodeProto;
export type TensorProto = OnnxNs.ITensorProto;
export type ValueInfoProto = OnnxNs.IValueInfoProto;
export type AttributeProto = OnnxNs.IAttributeProto;
export type FunctionProto = OnnxNs.IFunctionProto;

const DT = onnx.TensorProto.DataType;
export const ONNX_DTYPE: Readonly<Record<DType, number>> = {
  float32: DT.FLOAT, float16: DT.FLOAT16, bfloat16: DT.BFLOAT16, float64: DT.DOUBLE,
  int64: DT.INT64, int32: DT.INT32, int8: DT.INT8, uint8: DT.UINT8, bool: DT.BOOL,
};


export function tensorProto(name: string, dtype: DType, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  return tensorProtoRaw(name, dtype, dims, encodeData(values, dtype));
}

export function tensorProtoRaw(name: string, dtype: DType, dims: readonly number[], rawData: Uint8Array): TensorProto {
  return { name, dataType: ONNX_DTYPE[dtype], dims: [...dims], rawData };
}

/** A dim of a shape: a number, or a dim_param holding the symbolic expression (`B*T`). */
export function dimProto(d: Dim): OnnxNs.TensorShapeProto.IDimension {
  const c = d.constValue();
  return c !== undefined ? { dimValue: c } : { dimParam: d.toString() };
}

export function valueInfo(name: string, t: TensorType): ValueInfoProto {
  return { name, type: { tensorType: { elemType: ONNX_DTYPE[t.dtype], shape: { dim: t.shape.map(dimProto) } } } };
}

/** A typed attribute value: ONNX distinguishes ints from floats, JS numbers do not. */
export type Attr =
  | { readonly i: number } | { readonly f: number } | { readonly s: string }
  | { readonly ints: readonly number[] } | { readonly floats: readonly number[] } | { readonly t: TensorProto };

export const A = {
  i: (i: number | boolean): Attr => ({ i: typeof i === "boolean" ? (i ? 1 : 0) : i }),
  f: (f: number): Attr => ({ f }),
  s: (s: string): Attr => ({ s }),
  ints: (ints: readonly number[]): Attr => ({ ints }),
  floats: (floats: readonly number[]): Attr => ({ floats }),
  t: (t: TensorProto): Attr => ({ t }),
};

const AT = onnx.AttributeProto.AttributeType;

/** Attributes sorted by name, so the bytes do not depend on the order code wrote them. */
export function attributes(attrs: Readonly<Record<string, Attr>>): AttributeProto[] {
  const keys = Object.keys(attrs);
  if (keys.length > 1) keys.sort();
  return keys.map((name) => {
    const a = attrs[name]!;
    if ("i" in a) return { name, type: AT.INT, i: a.i };
    if ("f" in a) return { name, type: AT.FLOAT, f: a.f };
    if ("s" in a) return { name, type: AT.STRING, s: new TextEncoder().encode(a.s) };
    if ("ints" in a) return { name, type: AT.INTS, ints: [...a.ints] };
    if ("floats" in a) return { name, type: AT.FLOATS, floats: [...a.floats] };
    return { name, type: AT.TENSOR, t: a.t };
  });
}
