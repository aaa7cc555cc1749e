// Opens a checkpoint by what it is, not what it is called: a zip is torch.save's format, a
// JSON index names the shards (safetensors or torch), anything else is read as safetensors
// (whose header is then checked). A folder stands for the Hugging Face file names in it.
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
  if (path.endsWith(".json")) return openIndex(path);
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

/** A sharded checkpoint: safetensors shards (read by safetensors.ts) or torch.save shards. */
function openIndex(path: string): Checkpoint {
  let shards: string[];
  try {
    const map = (JSON.parse(readFileSync(path, "utf8")) as { weight_map?: Record<string, unknown> }).weight_map ?? {};
    shards = [...new Set(Object.values(map).map(String))];
  } catch {
    throw new CheckpointError("MM6001", "the index is not JSON", path, 0);
  }
  if (shards.every((s) => s.endsWith(".safetensors"))) return openSafetensors(path);
  const parts: Checkpoint[] = [];
  try {
    const tensors = new Map<string, CheckpointTensor>();
    for (const shard of shards) {
      if (shard !== basename(shard)) throw new CheckpointError("MM6002", `the index names ${JSON.stringify(shard)}, which is not a file beside the index`, path, 0);
      const c = openTorchZip(join(dirname(path), shard));
      parts.push(c);
      for (const [k, t] of c.tensors) tensors.set(k, t);
    }
    return { path, format: `pytorch zip (${shards.length} shards)`, tensors, close: () => parts.forEach((c) => c.close()) };
  } catch (e) {
    parts.forEach((c) => c.close());
    throw e;
  }
}
