// A restricted unpickler: the pickle opcodes a PyTorch state dict uses, as an iterative stack
// machine that builds plain data and never calls anything but the caller's handlers for an
// allowlist of globals (`resolveGlobal` refuses the rest with MM6003, naming the global).
// Written here rather than taken from npm: the only JavaScript pickle parser (pickleparser,
// one release in 2024) builds arbitrary objects for any global, and refusing is the point.
// No recursion: the depth of nested data does not reach the stack.
import { CheckpointError } from "./checkpoint.js";

export type PyValue = null | boolean | number | string | Uint8Array | PyList | PyTuple | PyDict | PyGlobal | PyOpaque;
export interface PyList { readonly kind: "list"; readonly items: PyValue[] }
export interface PyTuple { readonly kind: "tuple"; readonly items: readonly PyValue[] }
export interface PyDict { readonly kind: "dict"; readonly map: Map<string | number, PyValue> }
export interface PyGlobal { readonly kind: "global"; readonly module: string; readonly name: string }
/** What a handler made (a tensor, a storage). */
export interface PyOpaque { readonly kind: "opaque"; readonly value: unknown }

export interface UnpickleHooks {
  /** Checks a global against the allowlist (throws MM6003 for any other). */
  resolveGlobal(module: string, name: string): PyGlobal;
  /** A call of an allowed global (REDUCE, NEWOBJ). */
  call(fn: PyGlobal, args: readonly PyValue[]): PyValue;
  /** BINPERSID: PyTorch's reference to a storage record. */
  persistentLoad(pid: PyValue): PyValue;
}

const MARK: unique symbol = Symbol("mark");
type Slot = PyValue | typeof MARK;

export function unpickle(data: Uint8Array, file: string, hooks: UnpickleHooks): PyValue {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let p = 0;
  const stack: Slot[] = [];
  const memo = new Map<number, PyValue>();
  const bad = (what: string): CheckpointError => new CheckpointError("MM6002", `data.pkl: ${what}`, file, p);
  const need = (n: number): number => {
    if (n < 0 || p + n > data.length) throw bad("the pickle ends early");
    const at = p;
    p += n;
    return at;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw bad("the pickle pops an empty stack");
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw bad("the pickle has no mark to pop to");
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw bad("the pickle reads an empty stack");
    return v;
  };
  const text = (n: number): string => new TextDecoder().decode(data.subarray(need(n), p));
  const line = (): string => {
    const end = data.indexOf(10, p);
    if (end < 0) throw bad("the pickle ends early");
    const s = new TextDecoder().decode(data.subarray(p, end));
    p = end + 1;
    return s;
  };
  const setItems = (d: PyValue, kv: readonly PyValue[]): void => {
    if (typeof d !== "object" || d === null || !("kind" in d) || d.kind !== "dict") throw bad("SETITEM on something that is no dict");
    for (let i = 0; i + 1 < kv.length; i += 2) {
      const k = kv[i]!;
      if (typeof k !== "string" && typeof k !== "number") throw bad("a dict key that is neither a string nor an int");
      d.map.set(k, kv[i + 1]!);
    }
  };
  const append = (l: PyValue, items: readonly PyValue[]): void => {
    if (typeof l !== "object" || l === null || !("kind" in l) || l.kind !== "list") throw bad("APPEND on something that is no list");
    l.items.push(...items);
  };
  const callable = (v: PyValue): PyGlobal => {
    if (typeof v !== "object" || v === null || !("kind" in v) || v.kind !== "global") throw bad("a call of something that is no allowed global");
    return v;
  };
  const tuple = (v: PyValue): readonly PyValue[] => {
    if (typeof v !== "object" || v === null || !("kind" in v) || v.kind !== "tuple") throw bad("call arguments that are no tuple");
    return v.items;
  };
  for (;;) {
    const op = data[need(1)]!;
    switch (op) {
      case 0x80: need(1); break; // PROTO
      case 0x95: need(8); break; // FRAME
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break;
      case 0x7d: stack.push({ kind: "dict", map: new Map() }); break;
      case 0x5d: stack.push({ kind: "list", items: [] }); break;
      case 0x29: stack.push({ kind: "tuple", items: [] }); break;
      case 0x4e: stack.push(null); break;
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4a: stack.push(dv.getInt32(need(4), true)); break; // BININT
      case 0x4b: stack.push(data[need(1)]!); break; // BININT1
      case 0x4d: stack.push(dv.getUint16(need(2), true)); break; // BININT2
      case 0x8a: { // LONG1: little-endian two's complement
        const n = data[need(1)]!;
        const at = need(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[at + i]!);
        if (n > 0 && data[at + n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw bad("an integer beyond 2^53");
        stack.push(Number(v));
        break;
      }
      case 0x47: stack.push(dv.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x58: stack.push(text(dv.getUint32(need(4), true))); break; // BINUNICODE
      case 0x8c: stack.push(text(data[need(1)]!)); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(Number(dv.getBigUint64(need(8), true)))); break; // BINUNICODE8
      case 0x43: { const n = data[need(1)]!; stack.push(data.slice(need(n), p)); break; } // SHORT_BINBYTES
      case 0x42: { const n = dv.getUint32(need(4), true); stack.push(data.slice(need(n), p)); break; } // BINBYTES
      case 0x71: memo.set(data[need(1)]!, top()); break; // BINPUT
      case 0x72: memo.set(dv.getUint32(need(4), true), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const k = op === 0x68 ? data[need(1)]! : dv.getUint32(need(4), true);
        const v = memo.get(k);
        if (v === undefined) throw bad(`memo ${k} is read before it is written`);
        stack.push(v);
        break;
      }
      case 0x63: { const module = line(); stack.push(hooks.resolveGlobal(module, line())); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") throw bad("STACK_GLOBAL of something that is no name");
        stack.push(hooks.resolveGlobal(module, name));
        break;
      }
      case 0x74: stack.push({ kind: "tuple", items: popMark() }); break;
      case 0x85: stack.push({ kind: "tuple", items: [pop()] }); break;
      case 0x86: { const b = pop(); stack.push({ kind: "tuple", items: [pop(), b] }); break; }
      case 0x87: { const c = pop(); const b = pop(); stack.push({ kind: "tuple", items: [pop(), b, c] }); break; }
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const kv = popMark(); setItems(top(), kv); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x51: stack.push(hooks.persistentLoad(pop())); break; // BINPERSID
      case 0x52: case 0x81: { const args = tuple(pop()); stack.push(hooks.call(callable(pop()), args)); break; } // REDUCE, NEWOBJ
      case 0x62: { // BUILD: state for the object below; only a dict's (an OrderedDict's `_metadata`) is accepted, and dropped
        pop();
        const target = top();
        if (typeof target !== "object" || target === null || !("kind" in target) || (target.kind !== "dict" && target.kind !== "opaque")) {
          throw bad("BUILD on something that is neither a dict nor a tensor");
        }
        break;
      }
      default:
        throw new CheckpointError("MM6004", `data.pkl: pickle opcode 0x${op.toString(16)} is not one a state dict uses`, file, p - 1);
    }
  }
}
