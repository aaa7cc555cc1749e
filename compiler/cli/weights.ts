// Checkpoints at the CLI: `--weights FILE` for compile and run, and `mm weights check` /
// `mm weights export`. A checkpoint is opened, its keys are checked against the model's
// whole state dict (as load_state_dict(strict=True)), and only then read, tensor by tensor,
// by the writers. Checkpoint errors are coded diagnostics (MM6xxx) on the checkpoint's path.
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { openCheckpoint, CheckpointError, type Checkpoint } from "../checkpoint/index.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { allTensors } from "../elaborate/instance.js";
import { OWN_LAYOUT } from "../elaborate/layout.js";
import type { CheckedModel } from "../check/check-model.js";
import type { WeightsMode } from "../ir/weights.js";
import { DTYPE_SIZE } from "../base/tensor.js";
import { Layout, layoutKeys, layoutSource } from "../tools/weights/layout.js";
import { keyReport, type KeyInfo, type KeyReport } from "../tools/weights/report.js";
import { renderKeyReport } from "../tools/weights/render.js";
import type { CommandContext, OptionSpec } from "./command.js";
import { report } from "./report.js";
import { UsageError } from "./io.js";

export const WEIGHT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  layout: { type: "string", doc: "with a checkpoint: the layout whose names it uses, one the model or its blocks declare, or `mm` for mm's own (default: the model's default layout, else mm's)" },
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

/** --layout: one of the model's layouts (its own or its components'), `mm` for mm's own
 *  names (undefined); without the flag, the model's default layout, or its own names. */
export function layoutFor(ctx: CommandContext, checked: CheckedModel, flag = "layout"): Layout | undefined {
  const given = ctx.flags[flag];
  const name = typeof given === "string" ? given : checked.model.defaultLayout;
  if (name === undefined || name === OWN_LAYOUT) return undefined;
  const all = checked.model.layouts ?? [];
  const l = all.find((x) => x.name === name);
  if (l === undefined) {
    const names = [...all.map((x) => x.name), OWN_LAYOUT].join(", ");
    throw new UsageError(`--${flag}: ${checked.model.name} has no layout '${name}' (layouts: ${names}; ${OWN_LAYOUT} is mm's own names)`);
  }
  return new Layout(l.name, l.rules);
}

/** The model's state dict under a layout's names. */
export function expectedKeys(checked: CheckedModel, layout: Layout | undefined): KeyInfo[] {
  return layoutKeys(modelKeys(checked), layout);
}

/** The key report of a checkpoint against a model, with the command's layout and patterns. */
export function reportFor(ctx: CommandContext, checked: CheckedModel, c: Checkpoint, layout: Layout | undefined): KeyReport {
  return keyReport(expectedKeys(checked, layout), checkpointKeys(c), { allowMissing: list(ctx, "allow-missing"), ignoreUnexpected: list(ctx, "ignore-unexpected") });
}

/** MM6005 for a report that does not pass; the hint names a layout of the model that loads
 *  the checkpoint, when one does. */
export function mismatchDiagnostic(checked: CheckedModel, c: Checkpoint, r: KeyReport): Diagnostic {
  const count = (gs: KeyReport["missing"]): number => gs.reduce((n, g) => n + g.keys.length - g.allowed, 0);
  const parts = [`${count(r.missing)} missing`, `${count(r.unexpected)} unexpected`, `${r.mismatched.length} mismatched`];
  const keys = checkpointKeys(c);
  const candidates = [...(checked.model.layouts ?? []).map((l) => ({ name: l.name, layout: new Layout(l.name, l.rules) })), { name: OWN_LAYOUT, layout: undefined }];
  const fits = candidates.find((l) => keyReport(expectedKeys(checked, l.layout), keys).ok);
  const hint = fits !== undefined ? `the checkpoint is in the model's layout '${fits.name}': --layout ${fits.name} loads it`
    : "--allow-missing PATTERN / --ignore-unexpected PATTERN excuse keys on purpose; `mm weights check` shows the report alone";
  return diag("MM6005", { file: c.path, start: 0, end: 0 }, { model: checked.model.name, detail: parts.join(", ") }, { hint });
}

/**
 * --weights for a command: the mode, and what to close after writing. A checkpoint is
 * checked first: on a mismatch the report and MM6005 are printed and undefined returned.
 */
export function checkpointWeights(ctx: CommandContext, checked: CheckedModel, path: string, layout: Layout | undefined,
  keepHalf = false): { mode: WeightsMode; close(): void } | undefined {
  const c = openOrReport(ctx, path);
  if (c === undefined) return undefined;
  const r = reportFor(ctx, checked, c, layout);
  if (!r.ok) {
    ctx.io.err(renderKeyReport(r, checked.model.name, c) + "\n");
    report(ctx, [mismatchDiagnostic(checked, c, r)], new Map(), false);
    c.close();
    return undefined;
  }
  // The label names the file, not where it lies: the same checkpoint gives the same bytes.
  const shapes = new Map(modelKeys(checked).map((k) => [k.path, k.shape]));
  const tensor = layoutSource(c.tensors, shapes, layout, (d) => DTYPE_SIZE[d]);
  const label = basename(c.path) + (layout ? ` (layout ${layout.name})` : "");
  const mode: WeightsMode = { checkpoint: { label, tensor, ...(keepHalf ? { keepHalf } : {}) } };
  return { mode, close: () => c.close() };
}

/** --weights as given, before the model is loaded: a mode, or a checkpoint to open. */
export type WeightsSpec = { readonly mode: WeightsMode } | { readonly checkpoint: string };

/** --weights (default `dflt`) and --seed, checked: a seed goes with random only. */
export function weightsSpec(ctx: CommandContext, command: string, dflt: "none" | "random"): WeightsSpec {
  const w = typeof ctx.flags.weights === "string" ? ctx.flags.weights : dflt;
  const seed = typeof ctx.flags.seed === "string" ? Number(ctx.flags.seed) : undefined;
  if (seed !== undefined && w !== "random") throw new UsageError(`${command}: --seed goes with --weights random`);
  if (isCheckpointSpec(w, command)) return { checkpoint: w };
  return { mode: w === "random" ? { random: seed ?? 0 } : w === "zeros" ? "zeros" : "none" };
}

/** The mode for a spec once the model is known; undefined after printing why a checkpoint
 *  does not load. Call close() when the weights are written. */
export function resolveWeights(ctx: CommandContext, checked: CheckedModel, spec: WeightsSpec): { mode: WeightsMode; close(): void } | undefined {
  if ("mode" in spec) return { mode: spec.mode, close: () => {} };
  return checkpointWeights(ctx, checked, spec.checkpoint, layoutFor(ctx, checked), ctx.flags.dtype === "keep");
}
