// Checkpoints at the CLI: `--weights FILE` for compile and run, and `mm weights check` /
// `mm weights export`. A checkpoint is opened, its keys are checked against the model's
// whole state dict (as load_state_dict(strict=True)), and only then read, tensor by tensor,
// by the writers. Checkpoint errors are coded diagnostics (MM6xxx) on the checkpoint's path.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { openCheckpoint, CheckpointError, type Checkpoint } from "../checkpoint/index.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { allTensors } from "../elaborate/instance.js";
import type { CheckedModel } from "../check/check-model.js";
import type { WeightsMode } from "../ir/weights.js";
import { keyReport, type KeyInfo, type KeyReport } from "../tools/weights/report.js";
import { renderKeyReport } from "../tools/weights/render.js";
import type { CommandContext, OptionSpec } from "./command.js";
import { report } from "./report.js";
import { UsageError } from "./io.js";

export const WEIGHT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "allow-missing": { type: "string", multiple: true, doc: "with a checkpoint: model tensors it may lack (PATTERN: `*` one path segment, `**` any); they load as zeros" },
  "ignore-unexpected": { type: "string", multiple: true, doc: "with a checkpoint: its tensors the model does not have, to ignore (PATTERN)" },
};

/** The words --weights takes besides a checkpoint path. */
export const WEIGHT_WORDS = ["none", "zeros", "random"];

/** Whether --weights names a checkpoint; a word that is neither a mode nor a file or
 *  folder is a usage error (exit 2), as an unreadable file is. */
export function isCheckpointSpec(w: string, command = "compile"): boolean {
  if (WEIGHT_WORDS.includes(w)) return false;
  if (!existsSync(w)) throw new UsageError(`${command}: --weights takes none, zeros, random or a checkpoint file or folder; there is no file '${w}'`);
  return true;
}

/** The model's whole state dict, parameters and buffers, with constant shapes. */
export function modelKeys(checked: CheckedModel): KeyInfo[] {
  return allTensors(checked.model.root).map((t) => ({ path: t.path, dtype: t.dtype, shape: t.shape.map((d) => d.constValue() ?? -1) }));
}

export function checkpointKeys(c: Checkpoint): KeyInfo[] {
  return [...c.tensors.values()].map((t) => ({ path: t.name, dtype: t.dtype, shape: t.shape }));
}

function list(ctx: CommandContext, name: string): string[] {
  const v = ctx.flags[name];
  return Array.isArray(v) ? v : typeof v === "string" ? [v] : [];
}

export function checkpointDiagnostic(e: CheckpointError): Diagnostic {
  return diag(e.code, { file: e.file, start: e.offset, end: e.offset }, { message: e.message });
}

/** Opens a checkpoint, or prints its diagnostic and returns undefined. */
export function openOrReport(ctx: CommandContext, path: string): Checkpoint | undefined {
  try {
    return openCheckpoint(path);
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw e;
    report(ctx, [checkpointDiagnostic(e)], new Map(), false);
    return undefined;
  }
}

/** The key report of a checkpoint against a model, with the command's patterns. */
export function reportFor(ctx: CommandContext, checked: CheckedModel, c: Checkpoint): KeyReport {
  return keyReport(modelKeys(checked), checkpointKeys(c), { allowMissing: list(ctx, "allow-missing"), ignoreUnexpected: list(ctx, "ignore-unexpected") });
}

/** MM6005 for a report that does not pass. */
export function mismatchDiagnostic(checked: CheckedModel, c: Checkpoint, r: KeyReport): Diagnostic {
  const count = (gs: KeyReport["missing"]): number => gs.reduce((n, g) => n + g.keys.length - g.allowed, 0);
  const parts = [`${count(r.missing)} missing`, `${count(r.unexpected)} unexpected`, `${r.mismatched.length} mismatched`];
  return diag("MM6005", { file: c.path, start: 0, end: 0 }, { model: checked.model.name, detail: parts.join(", ") },
    { hint: "--allow-missing PATTERN / --ignore-unexpected PATTERN excuse keys on purpose; `mm weights check` shows the report alone" });
}

/**
 * --weights for a command: the mode, and what to close after writing. A checkpoint is
 * checked first: on a mismatch the report and MM6005 are printed and undefined returned.
 */
export function checkpointWeights(ctx: CommandContext, checked: CheckedModel, path: string): { mode: WeightsMode; close(): void } | undefined {
  const c = openOrReport(ctx, path);
  if (c === undefined) return undefined;
  const r = reportFor(ctx, checked, c);
  if (!r.ok) {
    ctx.io.err(renderKeyReport(r, checked.model.name, c) + "\n");
    report(ctx, [mismatchDiagnostic(checked, c, r)], new Map(), false);
    c.close();
    return undefined;
  }
  // The label names the file, not where it lies: the same checkpoint gives the same bytes.
  const mode: WeightsMode = { checkpoint: { label: basename(c.path), tensor: (p) => c.tensors.get(p) } };
  return { mode, close: () => c.close() };
}

/** --weights as given, before the model is loaded: a mode, or a checkpoint to open. */
export type WeightsSpec = { readonly mode: WeightsMode } | { readonly checkpoint: string };

/** The mode for a spec once the model is known; undefined after printing why a checkpoint
 *  does not load. Call close() when the weights are written. */
export function resolveWeights(ctx: CommandContext, checked: CheckedModel, spec: WeightsSpec): { mode: WeightsMode; close(): void } | undefined {
  if ("mode" in spec) return { mode: spec.mode, close: () => {} };
  return checkpointWeights(ctx, checked, spec.checkpoint);
}
