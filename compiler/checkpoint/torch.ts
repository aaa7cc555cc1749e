// PyTorch checkpoints (`torch.save`, zip format: pytorch_model.bin, .pt, .pth): a zip with
// `<archive>/data.pkl`, a pickle of the state dict whose tensors refer to storage records
// `<archive>/data/<key>`, stored uncompressed. The pickle is read by pickle.ts with an
// allowlist of the globals a state dict needs; a tensor is (storage, offset, size, stride),
// read from the file when asked for. The state dict may sit under `state_dict`, `model`,
// `module` or `model_state`, as the official repositories save it, and DataParallel's
// `module.` prefix is dropped.
import { DTYPE_SIZE, type DType } from "../base/tensor.js";
import { CheckpointError, contiguousTensor, numel, RandomAccessFile, type Checkpoint, type CheckpointTensor } from "./checkpoint.js";
import { unpickle, type PyDict, type PyGlobal, type PyValue } from "./pickle.js";
import { dataOffset, readEntry, readZipEntries, type ZipEntry } from "./zip.js";

const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  FloatStorage: "float32", HalfStorage: "float16", BFloat16Storage: "bfloat16", DoubleStorage: "float64",
  LongStorage: "int64", IntStorage: "int32", CharStorage: "int8", ByteStorage: "uint8", BoolStorage: "bool",
};
const ALLOWED = new Set([
  "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
]);
/** How much storage a non-contiguous tensor may gather through memory (contiguous ones stream). */
const MAX_GATHER_BYTES = 1 << 30;
/** The largest data.pkl mm unpickles: a 7B model's state-dict pickle is well under 1 MiB. */
const MAX_PICKLE_BYTES = 256 << 20;
/** Keys the official repositories nest a state dict under (`model_state`: PySlowFast's .pyth). */
const NESTING = ["state_dict", "model", "module", "model_state"];

/** A storage record: where its bytes start in the file, and how many elements it holds. */
interface Storage { readonly dtype: DType; readonly entry: ZipEntry; readonly start: number; readonly numel: number }
interface TensorRef { readonly storage: Storage; readonly offset: number; readonly shape: number[]; readonly stride: number[] }

const isTensor = (v: PyValue | undefined): v is { kind: "opaque"; value: TensorRef } =>
  typeof v === "object" && v !== null && "kind" in v && v.kind === "opaque" && (v.value as TensorRef).storage !== undefined;
const isDict = (v: PyValue | undefined): v is PyDict => typeof v === "object" && v !== null && "kind" in v && v.kind === "dict";
const ints = (v: PyValue | undefined): number[] | undefined =>
  typeof v === "object" && v !== null && "kind" in v && v.kind === "tuple" && v.items.every((x) => Number.isSafeInteger(x))
    ? (v.items as number[]) : undefined;

export function openTorchZip(path: string): Checkpoint {
  const file = new RandomAccessFile(path);
  try {
    const entries = readZipEntries(file);
    const pkl = entries.find((e) => e.name.endsWith("/data.pkl") || e.name === "data.pkl");
    if (pkl === undefined) throw new CheckpointError("MM6001", "a zip without data.pkl: not a torch.save checkpoint", path, 0);
    if (pkl.size > MAX_PICKLE_BYTES || pkl.compressedSize > MAX_PICKLE_BYTES) {
      throw new CheckpointError("MM6004", `data.pkl is ${Math.max(pkl.size, pkl.compressedSize)} bytes, more than the ${MAX_PICKLE_BYTES} a state dict's pickle needs`, path, pkl.localHeader);
    }
    const prefix = pkl.name.slice(0, pkl.name.length - "data.pkl".length);
    const byName = new Map(entries.map((e) => [e.name, e]));
    const storages = new Map<string, Storage>();
    const root = unpickle(readEntry(file, pkl), path, {
      resolveGlobal(module, name) {
        const full = `${module}.${name}`;
        if (module.startsWith("__torch__")) {
          throw new CheckpointError("MM6001", `a TorchScript archive (torch.jit.save), not a state dict; save its state dict: torch.save(torch.jit.load(path).state_dict(), out)`, path, 0);
        }
        if (!ALLOWED.has(full)) {
          throw new CheckpointError("MM6003", `the pickle names the global ${full}, which a state dict never needs; nothing was run`, path, 0);
        }
        return { kind: "global", module, name };
      },
      call(fn: PyGlobal, args) {
        switch (`${fn.module}.${fn.name}`) {
          case "collections.OrderedDict": return { kind: "dict", map: new Map() };
          case "torch._utils._rebuild_parameter": return args[0] ?? null;
          case "torch._utils._rebuild_tensor_v2": {
            const [s, offset, size, stride] = args;
            const shape = ints(size), strides = ints(stride);
            if (typeof s !== "object" || s === null || !("kind" in s) || s.kind !== "opaque" || typeof offset !== "number" || !shape || !strides || shape.length !== strides.length) {
              throw new CheckpointError("MM6002", "data.pkl: a tensor record without storage, offset, size and stride", path, 0);
            }
            return { kind: "opaque", value: { storage: s.value as Storage, offset, shape, stride: strides } satisfies TensorRef };
          }
          default: throw new CheckpointError("MM6003", `the pickle calls ${fn.module}.${fn.name}, which a state dict never needs; nothing was run`, path, 0);
        }
      },
      persistentLoad(pid) {
        const t = typeof pid === "object" && pid !== null && "kind" in pid && pid.kind === "tuple" ? pid.items : [];
        const [tag, type, key, , count] = t;
        if (tag !== "storage" || typeof key !== "string" || typeof count !== "number" || typeof type !== "object" || type === null || !("kind" in type) || type.kind !== "global") {
          throw new CheckpointError("MM6002", "data.pkl: a persistent id that is no storage record", path, 0);
        }
        const dtype = STORAGE_DTYPES[type.name];
        if (dtype === undefined) throw new CheckpointError("MM6004", `storage type torch.${type.name} is not one mm holds`, path, 0);
        let s = storages.get(key);
        if (s === undefined) {
          const entry = byName.get(`${prefix}data/${key}`);
          if (entry === undefined) throw new CheckpointError("MM6002", `storage ${key} is named in data.pkl but not in the zip`, path, 0);
          if (entry.method !== 0) throw new CheckpointError("MM6004", `storage ${key} is compressed; torch.save stores storages uncompressed`, path, entry.localHeader);
          if (entry.size < count * DTYPE_SIZE[dtype]) throw new CheckpointError("MM6002", `storage ${key} holds ${entry.size} bytes, fewer than its ${count} elements need`, path, entry.localHeader);
          s = { dtype, entry, start: dataOffset(file, entry), numel: count };
          storages.set(key, s);
        }
        return { kind: "opaque", value: s };
      },
    });
    const tensors = new Map<string, CheckpointTensor>();
    const dict = stateDict(root);
    if (dict === undefined) throw new CheckpointError("MM6001", "data.pkl holds no state dict (a dict of tensors, or one under state_dict, model or module)", path, 0);
    const names = [...dict.map.keys()].filter((k): k is string => typeof k === "string" && isTensor(dict.map.get(k)));
    const strip = names.length > 0 && names.every((n) => n.startsWith("module.")) ? "module.".length : 0;
    for (const name of names) {
      const ref = (dict.map.get(name) as { value: TensorRef }).value;
      tensors.set(name.slice(strip), tensorOf(file, name.slice(strip), ref));
    }
    return { path, format: "pytorch zip", tensors, close: () => file.close() };
  } catch (e) {
    file.close();
    throw e;
  }
}

/** The dict of tensors, at the top or under one of the usual keys. */
function stateDict(v: PyValue): PyDict | undefined {
  const todo: PyValue[] = [v];
  for (let n = 0; n < 8 && todo.length > 0; n++) {
    const d = todo.shift()!;
    if (!isDict(d)) continue;
    if ([...d.map.values()].some(isTensor)) return d;
    for (const k of NESTING) if (d.map.has(k)) todo.push(d.map.get(k)!);
  }
  return undefined;
}

function tensorOf(file: RandomAccessFile, name: string, t: TensorRef): CheckpointTensor {
  const { storage, offset, shape, stride } = t;
  const size = DTYPE_SIZE[storage.dtype];
  const n = numel(shape);
  const bad = (): CheckpointError => new CheckpointError("MM6002", `tensor ${name} reaches beyond its storage (${storage.numel} elements)`, file.path, storage.entry.localHeader);
  let contiguous = true;
  for (let i = shape.length - 1, want = 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== want) contiguous = false;
    want *= shape[i]!;
  }
  if (n === 0) return { name, dtype: storage.dtype, shape, read: () => new Uint8Array(0) };
  if (contiguous) {
    if (offset < 0 || offset + n > storage.numel) throw bad();
    return contiguousTensor(file, name, storage.dtype, shape, storage.start + offset * size);
  }
  // A view (a transposed or expanded tensor saved as such): gather its elements.
  let last = offset;
  for (let i = 0; i < shape.length; i++) last += (shape[i]! - 1) * stride[i]!;
  if (offset < 0 || last >= storage.numel || stride.some((s) => s < 0)) throw bad();
  if ((last - offset + 1) * size > MAX_GATHER_BYTES) throw new CheckpointError("MM6004", `tensor ${name} is a strided view over more than 1 GiB; save it contiguous (.contiguous())`, file.path, 0);
  let whole: Uint8Array | undefined;
  return {
    name, dtype: storage.dtype, shape,
    read: (first, count) => {
      if (whole === undefined) {
        const span = file.read(storage.start + offset * size, (last - offset + 1) * size, `tensor ${name}`);
        whole = new Uint8Array(n * size);
        const index = new Array<number>(shape.length).fill(0);
        for (let e = 0; e < n; e++) {
          let at = 0;
          for (let i = 0; i < shape.length; i++) at += index[i]! * stride[i]!;
          whole.set(span.subarray(at * size, at * size + size), e * size);
          for (let i = shape.length - 1; i >= 0; i--) {
            if (++index[i]! < shape[i]!) break;
            index[i] = 0;
          }
        }
      }
      return whole.subarray(first * size, (first + count) * size);
    },
  };
}
