// NumPy's .npz: a zip of .npy files, one per array (`np.savez` stores them, `np.savez_compressed`
// deflates them). Read with the checkpoint zip reader (zip.ts); written stored, with fixed
// timestamps so the same arrays give the same bytes.
import { CheckpointError, RandomAccessFile } from "./checkpoint.js";
import { encodeNpy, parseNpy, TensorFileError, type HostArray } from "./npy.js";
import { readEntry, readZipEntries } from "./zip.js";

/** The arrays of an .npz file by name (the entry name without `.npy`), in file order. */
export function readNpz(path: string): Map<string, HostArray> {
  const file = new RandomAccessFile(path);
  try {
    const out = new Map<string, HostArray>();
    for (const e of readZipEntries(file)) {
      if (e.name.endsWith("/")) continue;
      if (!e.name.endsWith(".npy")) throw new TensorFileError(`'${e.name}' in the .npz is not a .npy array`, path, e.localHeader);
      out.set(e.name.slice(0, -4), parseNpy(readEntry(file, e), path, `array '${e.name.slice(0, -4)}'`));
    }
    return out;
  } catch (e) {
    if (e instanceof CheckpointError) throw new TensorFileError(`not a readable .npz (zip): ${e.message}`, path, e.offset);
    throw e;
  } finally {
    file.close();
  }
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** An .npz file of `arrays` (stored, not compressed; no zip64, so under 4 GiB in all). */
export function encodeNpz(arrays: ReadonlyMap<string, HostArray>, path = ""): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01, the zip epoch: no clock in the bytes
  for (const [name, a] of arrays) {
    const fname = enc.encode(`${name}.npy`);
    const data = encodeNpy(a);
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true); // version needed
    local.setUint16(6, 0x0800, true); // UTF-8 names
    local.setUint16(12, DOS_DATE, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, data.length, true);
    local.setUint32(22, data.length, true);
    local.setUint16(26, fname.length, true);
    const cd = new DataView(new ArrayBuffer(46));
    cd.setUint32(0, 0x02014b50, true);
    cd.setUint16(4, 20, true);
    cd.setUint16(6, 20, true);
    cd.setUint16(8, 0x0800, true);
    cd.setUint16(14, DOS_DATE, true);
    cd.setUint32(16, crc, true);
    cd.setUint32(20, data.length, true);
    cd.setUint32(24, data.length, true);
    cd.setUint16(28, fname.length, true);
    cd.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), fname, data);
    central.push(new Uint8Array(cd.buffer), fname);
    offset += 30 + fname.length + data.length;
    if (offset > 0xffffffff) throw new TensorFileError("the arrays pass 4 GiB, more than an .npz mm writes holds: save as several files", path, 0);
  }
  const cdSize = central.reduce((s, b) => s + b.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, arrays.size, true);
  end.setUint16(10, arrays.size, true);
  end.setUint32(12, cdSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of all) (out.set(b, at), (at += b.length));
  return out;
}
