// The ONNX protobuf types (onnx-proto, protobufjs static code) and small builders for
// tensors, value infos and attributes. onnx-proto is CommonJS without named exports that
// Node's ESM loader can see, so it is imported whole and re-exported here.
import pkg from "onnx-proto";
import type { onnx as OnnxNs } from "onnx-proto";
import type { Dim } from "../../check/dims.js";
import type { DType, TensorType } from "../../check/tensor.js";

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

/** Bytes per element in raw_data. */
export const DTYPE_SIZE: Readonly<Record<DType, number>> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int8: 1, uint8: 1, bool: 1,
};

/** Little-endian raw_data for numbers of a dtype (float16/bfloat16 rounded to nearest even). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeData(values: ArrayLike<number>, dtype: DType): Uint8Array {
  const n = values.length;
  // Fast paths: a typed-array copy is the little-endian encoding on little-endian hosts.
  if (LITTLE_ENDIAN && dtype === "float32") return new Uint8Array(Float32Array.from(values).buffer);
  if (LITTLE_ENDIAN && dtype === "float64") return new Uint8Array(Float64Array.from(values).buffer);
  const out = new Uint8Array(n * DTYPE_SIZE[dtype]);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    switch (dtype) {
      case "float32": dv.setFloat32(4 * i, x, true); break;
      case "float64": dv.setFloat64(8 * i, x, true); break;
      case "float16": dv.setUint16(2 * i, toHalf(x), true); break;
      case "bfloat16": dv.setUint16(2 * i, toBfloat16(x), true); break;
      case "int64": dv.setBigInt64(8 * i, BigInt(Math.trunc(x)), true); break;
      case "int32": dv.setInt32(4 * i, x, true); break;
      case "int8": dv.setInt8(i, x); break;
      case "uint8": dv.setUint8(i, x); break;
      case "bool": dv.setUint8(i, x ? 1 : 0); break;
    }
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function toBfloat16(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  if ((bits & 0x7fffffff) > 0x7f800000) return 0x7fc0; // NaN
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function toHalf(x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

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
  return Object.keys(attrs).sort().map((name) => {
    const a = attrs[name]!;
    if ("i" in a) return { name, type: AT.INT, i: a.i };
    if ("f" in a) return { name, type: AT.FLOAT, f: a.f };
    if ("s" in a) return { name, type: AT.STRING, s: new TextEncoder().encode(a.s) };
    if ("ints" in a) return { name, type: AT.INTS, ints: [...a.ints] };
    if ("floats" in a) return { name, type: AT.FLOATS, floats: [...a.floats] };
    return { name, type: AT.TENSOR, t: a.t };
  });
}
