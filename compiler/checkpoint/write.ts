// Writes a safetensors file, streamed: the header first (its offsets follow from the shapes),
// then each tensor's chunks as they are produced, to a temporary file renamed into place
// (a failure leaves no output). The header is padded with spaces to 8 bytes, as the
// reference implementation does, so that the data is aligned.
import { closeSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { tempPathFor } from "../base/atomic.js";
import { DTYPE_SIZE, type DType } from "../base/tensor.js";
import { numel } from "./checkpoint.js";
import { SAFETENSORS_DTYPE } from "./safetensors.js";

export interface TensorToWrite {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** The tensor's raw bytes in order, in as many chunks as it likes. */
  chunks(): Iterable<Uint8Array>;
}

/** Bytes written. */
export function writeSafetensors(path: string, tensors: readonly TensorToWrite[], metadata: Readonly<Record<string, string>> = {}): number {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header["__metadata__"] = metadata;
  let at = 0;
  for (const t of tensors) {
    const n = numel(t.shape) * DTYPE_SIZE[t.dtype];
    header[t.name] = { dtype: SAFETENSORS_DTYPE[t.dtype], shape: t.shape, data_offsets: [at, at + n] };
    at += n;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const head = Buffer.alloc(8 + Buffer.byteLength(json));
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  head.write(json, 8, "utf8");
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "w");
  let ok = false;
  try {
    const put = (b: Uint8Array): void => {
      for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    };
    put(head);
    for (const t of tensors) {
      let written = 0;
      for (const c of t.chunks()) {
        put(c);
        written += c.byteLength;
      }
      const want = numel(t.shape) * DTYPE_SIZE[t.dtype];
      if (written !== want) throw new Error(`internal: tensor ${t.name} gave ${written} bytes, its shape needs ${want}`);
    }
    ok = true;
  } finally {
    closeSync(fd);
    if (ok) renameSync(tmp, path);
    else rmSync(tmp, { force: true });
  }
  return head.length + at;
}
