// Opens a checkpoint by what it is, not what it is called: a zip is torch.save's format, a
// JSON index (`model.safetensors.index.json`, `pytorch_model.bin.index.json`) names each
// tensor's shard, a file beside the index, anything else is read as safetensors (whose
// header is then checked). A folder stands for the Hugging Face file names in it.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { CheckpointError, RandomAccessFile, type Checkpoint, type CheckpointTensor } from "./checkpoint.js";
import { openSafetensors } from "./safetensors.js";
import { openTorchZip } from "./torch.js";

export { CheckpointError, type Checkpoint, type CheckpointTensor } from "./checkpoint.js";

/** What a folder may hold, in the order tried. */
const IN_FOLDER = ["model.safetensors.index.json", "model.safetensors", "pytorch_model.bin.index.json", "pytorch_model.bin"];

export function openCheckpoint(path: string): Checkpoint {
  if (!existsSync(path)) throw new CheckpointError("MM6001", "no such file or folder", path, 0);
  if (statSync(path).isDirectory()) {
    const found = IN_FOLDER.find((f) => existsSync(join(path, f)));
    if (found === undefined) throw new CheckpointError("MM6001", `the folder holds none of ${IN_FOLDER.join(", ")}`, path, 0);
    return openCheckpoint(join(path, found));
  }
  return path.endsWith(".json") ? openIndex(path) : openFile(path);
}

/** One checkpoint file, by its first bytes. */
function openFile(path: string): Checkpoint {
  const head = new RandomAccessFile(path);
  let magic: Uint8Array;
  try {
    magic = head.read(0, Math.min(head.size, 4), "the file's first bytes");
  } finally {
    head.close();
  }
  if (magic[0] === 0x50 && magic[1] === 0x4b && magic[2] === 0x03 && magic[3] === 0x04) return openTorchZip(path);
  // The legacy format opens with a pickle of its magic number: PROTO 2, LONG1 of 10 bytes.
  if (magic[0] === 0x80 && magic[1] === 0x02 && magic[2] === 0x8a && magic[3] === 0x0a) {
    throw new CheckpointError("MM6001", "a torch checkpoint in the legacy (pre-1.6) format; save it again with torch.save, whose default is the zip format", path, 0);
  }
  return openSafetensors(path);
}

/** An index's weight_map, tensor name → shard file name (a file beside the index). */
function readIndex(path: string): Map<string, string> {
  let index: unknown;
  try {
    index = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    throw new CheckpointError("MM6001", "the index is not JSON", path, 0);
  }
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== "object" || map === null) throw new CheckpointError("MM6001", "the index has no weight_map", path, 0);
  const out = new Map<string, string>();
  for (const [name, shard] of Object.entries(map as Record<string, unknown>)) {
    if (typeof shard !== "string" || shard !== basename(shard) || shard === "." || shard === "..") {
      throw new CheckpointError("MM6002", `the index puts ${name} in ${JSON.stringify(shard)}, which is not a file beside the index`, path, 0);
    }
    out.set(name, shard);
  }
  return out;
}

/** A sharded checkpoint: each shard opened as a file, every tensor where the index says. */
function openIndex(path: string): Checkpoint {
  const shards = readIndex(path);
  const parts: Checkpoint[] = [];
  const close = (): void => parts.forEach((c) => c.close());
  try {
    const tensors = new Map<string, CheckpointTensor>();
    for (const shard of new Set(shards.values())) {
      const c = openFile(join(dirname(path), shard));
      parts.push(c);
      for (const [name, t] of c.tensors) {
        if (shards.get(name) !== shard) {
          throw new CheckpointError("MM6002", `tensor ${name} is in ${shard}, but the index puts it in ${shards.get(name) ?? "no shard"}`, c.path, 0);
        }
        tensors.set(name, t);
      }
    }
    const lost = [...shards.keys()].filter((k) => !tensors.has(k));
    if (lost.length > 0) throw new CheckpointError("MM6002", `the index names ${lost.length} tensors its shards lack, e.g. ${lost[0]}`, path, 0);
    return { path, format: `${parts[0]?.format ?? "safetensors"} (${parts.length} shards)`, tensors, close };
  } catch (e) {
    close();
    throw e;
  }
}
