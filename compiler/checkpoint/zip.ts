// The entries of a zip file, read from its central directory (zip64 included), with where
// each entry's data starts: PyTorch stores tensors uncompressed, so a tensor is a byte range
// of the file, read when asked for. Synchronous on purpose: the weight writers pull chunks
// from a generator (yauzl, the usual library, is callback-only). Every offset and length is
// checked against the file.
import { inflateRawSync } from "node:zlib";
import { CheckpointError, type RandomAccessFile } from "./checkpoint.js";

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeader: number;
}

const EOCD = 0x06054b50, EOCD64 = 0x06064b50, LOCATOR64 = 0x07064b50, CENTRAL = 0x02014b50, LOCAL = 0x04034b50;
/** Entries a checkpoint may hold: a bound on what a hostile central directory makes mm allocate. */
const MAX_ENTRIES = 1_000_000;

const u64 = (dv: DataView, at: number): number => Number(dv.getBigUint64(at, true));

export function readZipEntries(file: RandomAccessFile): ZipEntry[] {
  const bad = (what: string, at: number): CheckpointError => new CheckpointError("MM6002", what, file.path, at);
  const tailLength = Math.min(file.size, 22 + 0xffff);
  const tail = file.read(file.size - tailLength, tailLength, "the end of the zip");
  const tv = new DataView(tail.buffer);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) if (tv.getUint32(i, true) === EOCD) { eocd = i; break; }
  if (eocd < 0) throw bad("no zip end-of-central-directory record: the file is truncated or not a zip", file.size);
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (eocd >= 20 && tv.getUint32(eocd - 20, true) === LOCATOR64) {
    const at = u64(tv, eocd - 20 + 8);
    const rec = new DataView(file.read(at, 56, "the zip64 end-of-central-directory record").buffer);
    if (rec.getUint32(0, true) !== EOCD64) throw bad("the zip64 locator points at no zip64 record", at);
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  if (count > MAX_ENTRIES) throw bad(`the zip claims ${count} entries, more than the ${MAX_ENTRIES} a checkpoint may hold`, file.size);
  const cd = file.read(cdOffset, cdSize, "the zip central directory");
  const dv = new DataView(cd.buffer);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdSize || dv.getUint32(p, true) !== CENTRAL) throw bad(`zip central directory entry ${i} is damaged`, cdOffset + p);
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    const commentLength = dv.getUint16(p + 32, true);
    let localHeader = dv.getUint32(p + 42, true);
    if (p + 46 + nameLength + extraLength > cdSize) throw bad(`zip central directory entry ${i} is damaged`, cdOffset + p);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLength));
    // zip64: the sizes and offset that overflowed 32 bits, in this order, in extra field 1.
    for (let e = p + 46 + nameLength; e + 4 <= p + 46 + nameLength + extraLength;) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        if (size === 0xffffffff && q + 8 <= e + 4 + len) { size = u64(dv, q); q += 8; }
        if (compressedSize === 0xffffffff && q + 8 <= e + 4 + len) { compressedSize = u64(dv, q); q += 8; }
        if (localHeader === 0xffffffff && q + 8 <= e + 4 + len) localHeader = u64(dv, q);
      }
      e += 4 + len;
    }
    entries.push({ name, method, compressedSize, size, localHeader });
    p += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Where an entry's data starts: after its local header, whose name and extra lengths may
 *  differ from the central directory's. */
export function dataOffset(file: RandomAccessFile, e: ZipEntry): number {
  const h = new DataView(file.read(e.localHeader, 30, `the local header of ${e.name}`).buffer);
  if (h.getUint32(0, true) !== LOCAL) throw new CheckpointError("MM6002", `the local header of ${e.name} is damaged`, file.path, e.localHeader);
  const start = e.localHeader + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  if (start + e.compressedSize > file.size) {
    throw new CheckpointError("MM6002", `${e.name} (bytes ${start}..${start + e.compressedSize}) goes beyond the end of the file (${file.size} bytes)`, file.path, e.localHeader);
  }
  return start;
}

/** A whole (small) entry's bytes, inflated if need be. */
export function readEntry(file: RandomAccessFile, e: ZipEntry): Uint8Array {
  const raw = file.read(dataOffset(file, e), e.compressedSize, e.name);
  if (e.method === 0) return raw;
  if (e.method !== 8) throw new CheckpointError("MM6004", `${e.name} uses zip compression method ${e.method}`, file.path, e.localHeader);
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, e.size) });
  } catch {
    throw new CheckpointError("MM6002", `${e.name} does not inflate`, file.path, e.localHeader);
  }
}
