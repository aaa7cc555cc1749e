// Sequential writes to one or more files, made by a second thread while this one goes on
// computing the next bytes (weights are generated on the CPU, and a write into the page
// cache is a copy the kernel makes on the caller's CPU: on two cores the two overlap).
//
// The bytes pass through a fixed ring of SLOTS buffers of SLOT_BYTES in shared memory,
// allocated once: memory stays flat whatever is written, and no buffer is faulted in twice.
// Each file has one slot being filled; a full slot is queued and the writer thread writes
// queued slots in order, so each file receives its bytes in the order they were given.
// The caller blocks (Atomics.wait) only when every slot is queued or being written.
//
// A file the writer opens itself (`open`) is written with O_DIRECT where the system has it:
// full slots go from the shared memory to the disk without a copy into the page cache. That
// copy, and writing the dirty pages back, cost as much CPU as generating the weights (on
// this project's 2-core machine, 30 s of kernel time for 28 GB), and the cores are what
// generating needs. Direct writes must be aligned (memory, length and file position, to
// DIRECT_ALIGN): the slots live in a shared WebAssembly memory, which is page-aligned (an
// ArrayBuffer is not), and a write that is not aligned (the last, partial slot) goes
// through a second, ordinary descriptor of the same file at its position. Where O_DIRECT
// is refused (tmpfs, other systems), the file is opened as usual.
//
// Synchronous for the caller, like writeSync: `flush()` returns when everything given so
// far is in the files (not fsynced: the caller does that), and a write error in the thread
// is thrown from the next call, with its code (ENOSPC, EIO, ...). Without threads (small
// outputs, where starting a worker costs more than it saves), the same calls write
// directly.
import { closeSync, constants, openSync, writeSync } from "node:fs";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";

export const SLOT_BYTES = 8 << 20;
export const SLOTS = 4;
/** What O_DIRECT needs of addresses, lengths and file positions. */
export const DIRECT_ALIGN = 4096;
const WASM_PAGE = 65536;
const FIELDS = 5; // a queue entry: fd, ordinary fd of the same file, slot, length, position

// Control words: queued count, written count, error flag, stop flag.
const QUEUED = 0, WRITTEN = 1, FAILED = 2, STOP = 3;

/** The writer thread's loop, as source (the CLI is one bundled file; a worker evaluates
 *  this string, not a module). Entry k of the queue is at FIELDS * (k % SLOTS). */
const THREAD = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { ctrl: c, queue: q, data: d, port, slots, slotBytes, align } = workerData;
const ctrl = new Int32Array(c), queue = new Float64Array(q), data = new Uint8Array(d);
(() => {
  let done = 0;
  try {
    for (;;) {
      while (Atomics.load(ctrl, ${QUEUED}) === done) {
        if (Atomics.load(ctrl, ${STOP})) return;
        Atomics.wait(ctrl, ${QUEUED}, done, 1000);
      }
      const e = (done % slots) * ${FIELDS};
      const fd = queue[e], plain = queue[e + 1], at = queue[e + 2] * slotBytes, len = queue[e + 3], pos = queue[e + 4];
      // Direct writes need aligned lengths and positions; the rest goes through the plain fd.
      const direct = fd === plain || pos % align !== 0 ? 0 : len - (len % align);
      for (let off = 0; off < direct;) off += writeSync(fd, data, at + off, direct - off, pos + off);
      for (let off = direct; off < len;) off += writeSync(plain, data, at + off, len - off, pos + off);
      done++;
      Atomics.store(ctrl, ${WRITTEN}, done);
      Atomics.notify(ctrl, ${WRITTEN});
    }
  } catch (err) {
    port.postMessage({ message: String(err && err.message), code: err && err.code });
    Atomics.store(ctrl, ${FAILED}, 1);
    Atomics.notify(ctrl, ${WRITTEN});
  }
})();
`;

/** A write error from the thread, as fs would have thrown it. */
class WriteError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = "WriteError";
  }
}

interface Filling {
  slot: number;
  used: number;
}

/** A file this writer knows: its ordinary descriptor (for unaligned writes) and how many
 *  bytes were queued for it (the position of the next write). */
interface FileState {
  plain: number;
  position: number;
}

export class RingWriter {
  private readonly ctrl: Int32Array;
  private readonly queue: Float64Array;
  private readonly data: Uint8Array;
  private readonly worker: Worker | undefined;
  private readonly port: MessageChannel["port1"] | undefined;
  /** Slot k was last queued as entry lastQueued[k] (-1: never); free once WRITTEN passes it. */
  private readonly lastQueued = new Array<number>(SLOTS).fill(-1);
  private readonly filling = new Map<number, Filling>();
  private readonly files = new Map<number, FileState>();
  private queued = 0;
  private nextSlot = 0;

  /** `threaded`: write from a second thread (worth it for tens of megabytes and more). */
  constructor(threaded: boolean) {
    const ctrl = new SharedArrayBuffer(16), queue = new SharedArrayBuffer(8 * FIELDS * SLOTS);
    // Page-aligned shared memory (see the header); a slot is a multiple of a wasm page.
    const pages = threaded ? (SLOTS * SLOT_BYTES) / WASM_PAGE : 0;
    const data = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer as unknown as SharedArrayBuffer;
    this.ctrl = new Int32Array(ctrl);
    this.queue = new Float64Array(queue);
    this.data = new Uint8Array(data);
    if (threaded) {
      const { port1, port2 } = new MessageChannel();
      this.port = port1;
      this.worker = new Worker(THREAD, { eval: true, workerData: { ctrl, queue, data, port: port2, slots: SLOTS, slotBytes: SLOT_BYTES, align: DIRECT_ALIGN }, transferList: [port2] });
      this.worker.unref();
    }
  }

  /** Creates (truncates) a file to write through this writer: with O_DIRECT when threaded
   *  and the file system takes it. Close it with closeFile. */
  open(path: string): number {
    // Each open file may hold a slot while filling it; the rest must be left for the queue.
    if (this.files.size >= SLOTS / 2) throw new Error(`internal error: a ring writer writes at most ${SLOTS / 2} files at once`);
    const direct = this.worker && constants.O_DIRECT ? tryOpen(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DIRECT) : undefined;
    const fd = direct ?? openSync(path, "w");
    this.files.set(fd, { plain: direct === undefined ? fd : openSync(path, "r+"), position: 0 });
    return fd;
  }

  /** Closes a file from `open` (after flush: queued writes would land on a closed fd). */
  closeFile(fd: number): void {
    const f = this.files.get(fd);
    this.files.delete(fd);
    if (f && f.plain !== fd) closeSync(f.plain);
    closeSync(fd);
  }

  /** Appends `bytes` to file `fd`. */
  write(fd: number, bytes: Uint8Array): void {
    if (!this.worker) {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      return;
    }
    if (!this.files.has(fd)) throw new Error("internal error: a ring writer writes only files it opened");
    for (let at = 0; at < bytes.length; ) {
      const f = this.slotFor(fd);
      const n = Math.min(bytes.length - at, SLOT_BYTES - f.used);
      this.data.set(bytes.subarray(at, at + n), f.slot * SLOT_BYTES + f.used);
      f.used += n;
      at += n;
      if (f.used === SLOT_BYTES) this.submit(fd, f);
    }
  }

  /** Returns when every byte given so far has been written to its file. */
  flush(): void {
    if (!this.worker) return;
    for (const [fd, f] of [...this.filling]) this.submit(fd, f);
    this.waitWritten(this.queued);
  }

  /** Stops the thread. After an error too: what is queued is written first (to files the
   *  caller then removes), so no write lands on a descriptor after the caller closes it. */
  close(): void {
    if (!this.worker) return;
    try {
      this.waitWritten(this.queued);
    } catch {
      // the thread stopped at its error
    }
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, QUEUED);
    void this.worker.terminate();
  }

  private slotFor(fd: number): Filling {
    let f = this.filling.get(fd);
    if (f) return f;
    const busy = new Set([...this.filling.values()].map((x) => x.slot));
    let slot = this.nextSlot;
    while (busy.has(slot)) slot = (slot + 1) % SLOTS; // another file is filling it
    this.nextSlot = (slot + 1) % SLOTS;
    this.waitWritten(this.lastQueued[slot]! + 1);
    f = { slot, used: 0 };
    this.filling.set(fd, f);
    return f;
  }

  private submit(fd: number, f: Filling): void {
    this.filling.delete(fd);
    if (f.used === 0) return;
    const file = this.files.get(fd)!;
    const e = (this.queued % SLOTS) * FIELDS;
    this.queue[e] = fd;
    this.queue[e + 1] = file.plain;
    this.queue[e + 2] = f.slot;
    this.queue[e + 3] = f.used;
    this.queue[e + 4] = file.position;
    file.position += f.used;
    this.lastQueued[f.slot] = this.queued;
    this.queued++;
    Atomics.store(this.ctrl, QUEUED, this.queued);
    Atomics.notify(this.ctrl, QUEUED);
  }

  /** Blocks until `count` entries are written; throws the thread's error, if it had one. */
  private waitWritten(count: number): void {
    for (;;) {
      if (Atomics.load(this.ctrl, FAILED)) {
        const m = receiveMessageOnPort(this.port!)?.message as { message: string; code?: string } | undefined;
        throw new WriteError(m?.message ?? "write failed", m?.code);
      }
      const written = Atomics.load(this.ctrl, WRITTEN);
      if (written >= count) return;
      Atomics.wait(this.ctrl, WRITTEN, written, 1000);
    }
  }
}

/** The descriptor, or undefined where the file system refuses the flags (EINVAL). */
function tryOpen(path: string, flags: number): number | undefined {
  try {
    return openSync(path, flags, 0o666);
  } catch (e) {
    if ((e as { code?: unknown }).code === "EINVAL") return undefined;
    throw e;
  }
}
