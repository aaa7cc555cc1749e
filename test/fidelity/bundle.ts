// One fidelity case as a safetensors file (the format of Hugging Face checkpoints: an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape and byte
// range, then the raw bytes). Keys are `param/<path>`, `input/<name>` and `output/<name>`:
// the weights mm ran with, by state-dict name, the inputs it was fed, and what it computed.
import { writeFileSync } from "node:fs";

export interface BundleTensor {
  readonly name: string;
  readonly dtype: "float32" | "int64" | "bool";
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array | Uint8Array;
}

const ST_DTYPE = { float32: "F32", int64: "I64", bool: "BOOL" } as const;

export function writeBundle(path: string, tensors: readonly BundleTensor[], metadata: Record<string, string> = {}): void {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: ST_DTYPE[t.dtype], shape: t.dims, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const parts = [head, Buffer.from(json), ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
  writeFileSync(path, Buffer.concat(parts));
}
