// Raw tensor data: numbers of a dtype as little-endian bytes, as ONNX raw_data, safetensors
// and PyTorch storages hold them (float16 and bfloat16 rounded to nearest even).
import { DTYPE_SIZE, type DType } from "./tensor.js";

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

/** float16 bits → number (exact). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** bfloat16 bits → number (exact: the upper half of a float32). */
export function bfloat16ToNumber(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0]!;
}

/** The numbers in little-endian raw data of a dtype (int64 beyond 2^53 loses precision). */
export function decodeData(bytes: Uint8Array, dtype: DType): Float64Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / DTYPE_SIZE[dtype];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case "float32": out[i] = dv.getFloat32(4 * i, true); break;
      case "float64": out[i] = dv.getFloat64(8 * i, true); break;
      case "float16": out[i] = halfToNumber(dv.getUint16(2 * i, true)); break;
      case "bfloat16": out[i] = bfloat16ToNumber(dv.getUint16(2 * i, true)); break;
      case "int64": out[i] = Number(dv.getBigInt64(8 * i, true)); break;
      case "int32": out[i] = dv.getInt32(4 * i, true); break;
      case "int8": out[i] = dv.getInt8(i); break;
      case "uint8": case "bool": out[i] = dv.getUint8(i); break;
    }
  }
  return out;
}

/** Raw data of one dtype as another's: the same bytes when they agree; half and bfloat16
 *  widen exactly, narrowing rounds to nearest even. */
export function convertBytes(bytes: Uint8Array, from: DType, to: DType): Uint8Array {
  if (from === to) return bytes;
  return encodeData(decodeData(bytes, from), to);
}
