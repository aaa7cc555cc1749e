// The ring writer gives each file exactly its bytes in order, whether it writes from a
// second thread (direct I/O where the file system takes it, and where it does not) or not.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RingWriter, SLOT_BYTES } from "../../compiler/base/ring-writer.js";
import { mulberry32 } from "../../compiler/ir/prng.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Pieces of seeded random bytes and sizes: tiny, unaligned, a slot and more. */
function pieces(seed: number, count: number): Uint8Array[] {
  const rand = mulberry32(seed);
  const sizes = [1, 7, 4096, SLOT_BYTES, SLOT_BYTES - 3, 2 * SLOT_BYTES + 5, 100_000];
  return Array.from({ length: count }, () => {
    const n = sizes[Math.floor(rand() * sizes.length)]!;
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i += 997) b[i] = Math.floor(rand() * 256);
    b[n - 1] = 255;
    return b;
  });
}

const concat = (ps: readonly Uint8Array[]): Buffer => Buffer.concat(ps.map((p) => Buffer.from(p)));

// /dev/shm is tmpfs, which refuses O_DIRECT: the writer falls back to ordinary writes.
const roots = [tmpdir(), ...(existsSync("/dev/shm") ? ["/dev/shm"] : [])];

describe.each(roots)("RingWriter in %s", (root) => {
  for (const threaded of [true, false]) {
    it(`writes two interleaved files byte for byte (${threaded ? "threaded" : "in this thread"})`, () => {
      const dir = mkdtempSync(join(root, "mm-ring-"));
      dirs.push(dir);
      const a = pieces(1, 9), b = pieces(2, 7); // more than the ring holds: slots are reused
      const w = new RingWriter(threaded);
      const fa = w.open(join(dir, "a")), fb = w.open(join(dir, "b"));
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (a[i]) w.write(fa, a[i]!);
        if (b[i]) w.write(fb, b[i]!);
      }
      w.flush();
      w.closeFile(fa);
      w.closeFile(fb);
      w.close();
      expect(readFileSync(join(dir, "a")).equals(concat(a))).toBe(true);
      expect(readFileSync(join(dir, "b")).equals(concat(b))).toBe(true);
    });
  }
});

describe.skipIf(!existsSync("/dev/full"))("RingWriter errors", () => {
  it("throws the thread's write error, with its code, from the next call", () => {
    const w = new RingWriter(true);
    expect(() => w.write(12345, new Uint8Array(1))).toThrow(/only files it opened/);
    const fd = w.open("/dev/full"); // every write fails with ENOSPC, as on a full disk
    let thrown: unknown;
    try {
      for (let i = 0; i < 8; i++) w.write(fd, new Uint8Array(SLOT_BYTES));
      w.flush();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as { code?: string }).code).toBe("ENOSPC");
    w.close(); // returns although the thread has stopped
    w.closeFile(fd);
  });
});
