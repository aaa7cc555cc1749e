// Loading a checkpoint costs no more memory than writing random weights: peak RSS of
// `mm compile MODEL --external-data` with `--weights random` (the baseline, measured in the
// same run) and with `--weights CKPT`, a random bfloat16 safetensors checkpoint of the model
// made here (its whole state dict, as `mm weights export` would write it) and deleted after,
// as are the ONNX files. Peak RSS comes from /usr/bin/time (the child's maxrss).
// Run: npm run bench:weights [-- --model LLaVA_1_5_7B] [-- --dir /tmp]
// The default model has 7B parameters: about 14 GB of checkpoint and 28 GB of ONNX data on
// disk at the peak, and minutes of writing.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSafetensors } from "../compiler/checkpoint/write.js";
import { irParamOf } from "../compiler/driver/build-ir.js";
import { Session } from "../compiler/driver/session.js";
import { allTensors } from "../compiler/elaborate/instance.js";
import { paramDims, weightChunks } from "../compiler/ir/weights.js";
import { convertBytes } from "../compiler/base/encode.js";

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const modelName = arg("--model", "LLaVA_1_5_7B");
const dir = mkdtempSync(join(arg("--dir", "/tmp"), "mm-bench-weights-"));
const bin = fileURLToPath(new URL("../../bin/mm.js", import.meta.url));

/** Peak RSS (MiB) and wall time (s) of `mm ARGS`. */
function measure(args: readonly string[]): { rss: number; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "MAXRSS %M", process.execPath, bin, ...args], { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`mm ${args.join(" ")} failed: ${r.stderr}`);
  const kb = Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1]);
  return { rss: kb / 1024, seconds: (performance.now() - t0) / 1000 };
}

try {
  const session = new Session();
  const std = session.stdlib();
  const { ref, program } = session.findModel(modelName, std);
  if (!ref) throw new Error(`no stdlib model ${modelName}`);
  const checked = session.compile(ref, program, {}).checked;
  if (!checked) throw new Error(`${modelName} does not check`);
  const ckpt = join(dir, "model.safetensors");
  const t0 = performance.now();
  const tensors = allTensors(checked.model.root).map((t) => {
    const p = irParamOf(t, -1);
    const half = t.dtype === "float32" ? "bfloat16" : t.dtype;
    return { name: t.path, dtype: half, shape: paramDims(p), chunks: function* () {
      for (const c of weightChunks(p, { random: 1 })) yield convertBytes(c, t.dtype, half);
    } };
  });
  const size = writeSafetensors(ckpt, tensors);
  const params = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  console.log(`${modelName}: ${(params / 1e9).toFixed(2)}B parameters; checkpoint ${(size / 2 ** 30).toFixed(1)} GiB bfloat16, made in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

  const random = measure(["compile", modelName, "-o", join(dir, "random.onnx"), "--weights", "random", "--external-data"]);
  rmSync(join(dir, "random.onnx"), { force: true });
  rmSync(join(dir, "random.onnx.data"), { force: true });
  const loaded = measure(["compile", modelName, "-o", join(dir, "ckpt.onnx"), "--weights", ckpt, "--external-data"]);
  console.log(`peak RSS, --weights random (baseline):  ${random.rss.toFixed(0).padStart(6)} MiB  (${random.seconds.toFixed(0)} s)`);
  console.log(`peak RSS, --weights CKPT (bfloat16):   ${loaded.rss.toFixed(0).padStart(6)} MiB  (${loaded.seconds.toFixed(0)} s)  ${(loaded.rss / random.rss).toFixed(2)}x the baseline`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
