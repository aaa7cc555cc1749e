// A growing byte buffer and protobuf's primitives, as protobufjs writes them (wire.ts
// writes ONNX messages with it): varints (int64 and negative int32 as ten-byte two's
// complement), little-endian floats, UTF-8 strings, and length-delimited bodies whose
// length is written after them (one byte reserved; a longer length moves the body up).

type Long = { readonly low: number; readonly high: number };
/** An int64 as protobufjs takes it: a number, a Long, or a decimal string. */
export type Int64 = number | Long | string;

const varintSize = (n: number): number => (n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5);

/** A buffer that grows by doubling, and the protobuf primitives. */
/** Node's UTF-8 writer under Buffer.prototype.write, which protobufjs calls too: write()
 *  normalizes its arguments first, which cost more than the copy for names this short. */
interface NodeBuffer extends Buffer {
  utf8Write(s: string, offset: number, length: number): number;
}
// In a browser (the playground's worker) there is no Buffer: plain arrays and a JS loop.
const NODE_BUFFER: typeof Buffer | undefined = typeof Buffer === "function" ? Buffer : undefined;
const HAS_UTF8_WRITE = NODE_BUFFER !== undefined && typeof (NODE_BUFFER.prototype as Partial<NodeBuffer>).utf8Write === "function";
const alloc = (n: number): Uint8Array => (HAS_UTF8_WRITE ? NODE_BUFFER!.alloc(n) : new Uint8Array(n));

// Scratch for a float's bytes, shared by every writer (JavaScript runs one at a time).
const F32 = new Float32Array(1);
const F32_BYTES = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

export class WireWriter {
  /** A Buffer under Node, for its native UTF-8 writer; what leaves the writer is a plain
   *  Uint8Array. */
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 1 << 16) {
    this.buf = alloc(capacity);
  }

  /** Room for n more bytes (small, so that it inlines; growing is apart). */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = alloc(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** The bytes written, copied out. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }

  /** The bytes of a writer that is done: in place when the buffer is nearly full (no
   *  copy), else copied out (so the unused room is not kept alive with them). */
  done(): Uint8Array {
    const b = this.buf;
    return b.length - this.pos <= this.pos / 8 ? new Uint8Array(b.buffer, b.byteOffset, this.pos) : this.finish();
  }

  uint32(v: number): void {
    this.ensure(5);
    const b = this.buf;
    let p = this.pos;
    v >>>= 0;
    while (v > 127) {
      b[p++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[p++] = v;
    this.pos = p;
  }

  /** A varint of the 64-bit value lo + 2^32·hi (both unsigned 32-bit). */
  private varint64(lo: number, hi: number): void {
    this.ensure(10);
    const b = this.buf;
    let p = this.pos;
    while (hi) {
      b[p++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 127) {
      b[p++] = (lo & 127) | 128;
      lo >>>= 7;
    }
    b[p++] = lo;
    this.pos = p;
  }

  int64(v: Int64): void {
    if (typeof v === "number") {
      if (v >= 0 && v <= 0x7fffffff) return this.uint32(v);
      // LongBits.fromNumber: magnitude split in 32-bit halves, negated in two's complement.
      const neg = v < 0;
      if (neg) v = -v;
      let lo = v >>> 0;
      let hi = ((v - lo) / 4294967296) >>> 0;
      if (neg) {
        hi = ~hi >>> 0;
        lo = ~lo >>> 0;
        if (++lo > 4294967295) {
          lo = 0;
          if (++hi > 4294967295) hi = 0;
        }
      }
      return this.varint64(lo, hi);
    }
    if (typeof v === "string") return this.int64(Number(v));
    return this.varint64(v.low >>> 0, v.high >>> 0);
  }

  int32(v: number): void {
    if (v < 0) this.int64(v);
    else this.uint32(v);
  }

  float(v: number): void {
    this.ensure(4);
    F32[0] = v;
    this.buf.set(F32_BYTES, this.pos);
    this.pos += 4;
  }

  double(v: number): void {
    this.ensure(8);
    F64[0] = v;
    this.buf.set(F64_BYTES, this.pos);
    this.pos += 8;
  }

  bytes(v: Uint8Array): void {
    this.uint32(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  string(s: string): void {
    const n = s.length;
    // ASCII, the common case: one byte per char, so the length (n) is known before the
    // chars are written. Node's native writer copies them (a JavaScript loop of charCodeAt
    // was the encoder's largest cost); n bytes written, none with the high bit set, means
    // all n chars were ASCII. Anything else goes the UTF-8 way.
    const head = varintSize(n);
    this.ensure(head + n);
    const b = this.buf;
    const at = this.pos + head;
    if (n > 0) {
      if (HAS_UTF8_WRITE) {
        const written = (b as NodeBuffer).utf8Write(s, at, n);
        let high = 0;
        for (let i = at, end = at + n; i < end; i++) high |= b[i]!;
        if (written !== n || high > 127) return this.utf8(s);
      } else {
        for (let i = 0; i < n; i++) {
          const c = s.charCodeAt(i);
          if (c >= 128) return this.utf8(s);
          b[at + i] = c;
        }
      }
    }
    // The length before the chars, in the `head` bytes kept for it (no ensure: room is there).
    let q = this.pos;
    let v = n;
    while (v > 127) {
      b[q++] = (v & 127) | 128;
      v >>>= 7;
    }
    b[q] = v;
    this.pos = at + n;
  }

  /** As protobufjs writes a non-ASCII string: the length from Node's UTF-8 count; the
   *  bytes by its own JavaScript encoder below 40 chars (which writes a lone surrogate as
   *  its three-byte form) and Node's above (which writes U+FFFD: the same length). */
  private utf8(s: string): void {
    const len = NODE_BUFFER ? NODE_BUFFER.byteLength(s, "utf8") : new TextEncoder().encode(s).length;
    this.uint32(len);
    this.ensure(len);
    if (s.length < 40 || !HAS_UTF8_WRITE) jsUtf8(s, this.buf, this.pos);
    else (this.buf as NodeBuffer).utf8Write(s, this.pos, len);
    this.pos += len;
  }


  /** Bytes already encoded. */
  raw(v: Uint8Array): void {
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  /** Starts a length-delimited body: one byte reserved for its length. */
  fork(): number {
    this.ensure(1);
    return this.pos++;
  }

  /** Ends the body started at `at`: its length goes there, the body moves up if it needs more bytes. */
  ldelim(at: number): void {
    const len = this.pos - at - 1;
    if (len < 128) {
      this.buf[at] = len;
      return;
    }
    const head = varintSize(len);
    this.ensure(head - 1);
    this.buf.copyWithin(at + head, at + 1, this.pos);
    const end = this.pos + head - 1;
    this.pos = at;
    this.uint32(len);
    this.pos = end;
  }
}

/** UTF-8 of a string, surrogate pairs joined, a lone surrogate encoded as its own code unit. */
function jsUtf8(s: string, b: Uint8Array, at: number): void {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 128) b[at++] = c;
    else if (c < 2048) {
      b[at++] = (c >> 6) | 192;
      b[at++] = (c & 63) | 128;
    } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
      b[at++] = (c >> 18) | 240;
      b[at++] = ((c >> 12) & 63) | 128;
      b[at++] = ((c >> 6) & 63) | 128;
      b[at++] = (c & 63) | 128;
    } else {
      b[at++] = (c >> 12) | 224;
      b[at++] = ((c >> 6) & 63) | 128;
      b[at++] = (c & 63) | 128;
    }
  }
}
