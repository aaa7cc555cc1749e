// A checkpoint as mm reads it: named tensors whose bytes stay in the file until asked for,
// in chunks (memory stays flat in model size, as for random weights). The readers
// (safetensors.ts, torch.ts) fill this contract; errors are CheckpointErrors with a stable
// code and the byte offset where the file went wrong, turned into diagnostics at the edge.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { DTYPE_SIZE, type DType } from "../base/tensor.js";

export type CheckpointCode = "MM6001" | "MM6002" | "MM6003" | "MM6004";

/** A file that is not a readable checkpoint. MM6001: not a checkpoint format mm reads;
 *  MM6002: corrupt (truncated, a length or range beyond the file); MM6003: a pickle names
 *  a global outside the state-dict allowlist; MM6004: a dtype or layout mm cannot hold. */
export class CheckpointError extends Error {
  constructor(readonly code: CheckpointCode, message: string, readonly file: string, readonly offset = 0) {
    super(message);
    this.name = "CheckpointError";
  }
}

export interface CheckpointTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Raw little-endian bytes of elements [first, first + count) in row-major order. */
  read(first: number, count: number): Uint8Array;
}

export interface Checkpoint {
  readonly path: string;
  /** "safetensors", "safetensors (N shards)", "pytorch zip". */
  readonly format: string;
  /** In file order. */
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;
  close(): void;
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** An open file read at offsets, with its size; every read is checked against the size. */
export class RandomAccessFile {
  readonly size: number;
  private fd: number | undefined;
  constructor(readonly path: string) {
    this.fd = openSync(path, "r");
    this.size = fstatSync(this.fd).size;
  }
  /** `length` bytes at `offset`; MM6002 where the range leaves the file. */
  read(offset: number, length: number, what: string): Uint8Array {
    if (this.fd === undefined) throw new Error(`internal: ${this.path} is closed`);
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new CheckpointError("MM6002", `${what} (bytes ${offset}..${offset + length}) goes beyond the end of the file (${this.size} bytes)`, this.path, Math.min(offset, this.size));
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) throw new CheckpointError("MM6002", `${what}: the file ended early`, this.path, offset + done);
      done += n;
    }
    return out;
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A tensor stored contiguously at `offset` of `file`. */
export function contiguousTensor(file: RandomAccessFile, name: string, dtype: DType, shape: readonly number[], offset: number): CheckpointTensor {
  const size = DTYPE_SIZE[dtype];
  return {
    name, dtype, shape,
    read: (first, count) => file.read(offset + first * size, count * size, `tensor ${name}`),
  };
}
