// `--bind B=2,T=16` (or `--bind B=2 --bind T=16`): values for a model's symbolic dims, for
// targets whose plans are specialised to their shapes (webgpu, ts) and for `mm run`.
import { SelectionError, type Selection } from "../driver/build-ir.js";
import { buildIrModel } from "../driver/ir-model.js";
import type { IrModel } from "../ir/model.js";
import type { CheckedModel } from "../check/check-model.js";
import { defaultDim } from "../tools/inputs.js";
import type { CommandContext } from "./command.js";
import { UsageError } from "./io.js";

/** The --bind values as given, in order; a usage error for a malformed one. */
export function parseBind(ctx: CommandContext, command: string): Map<string, number> {
  const raw = ctx.flags.bind;
  const items = (Array.isArray(raw) ? raw : typeof raw === "string" ? [raw] : []).flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== "");
  const out = new Map<string, number>();
  for (const item of items) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(\d+)$/.exec(item);
    if (!m || Number(m[2]) < 1 || !Number.isSafeInteger(Number(m[2]))) throw new UsageError(`${command}: --bind takes NAME=N with N a positive integer (B=2,T=16), not '${item}'`);
    if (out.has(m[1]!) && out.get(m[1]!) !== Number(m[2])) throw new UsageError(`${command}: --bind gives ${m[1]} twice`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** The IR model of a selection (a task or outputs), built once for a command; a selection
 *  the model lacks is a usage error. Its `dims` are what --bind must cover. */
export function irModelFor(checked: CheckedModel & { readonly sources: ReadonlyMap<string, string> }, sel: Selection, command: string): IrModel {
  try {
    return buildIrModel(checked, checked.sources, sel);
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  }
}

/** Checks --bind against the model's symbolic dims. With `defaults`, an unbound dim takes
 *  its default (tools/inputs.ts: B, N, V = 2, others 3); without, it is a usage error. */
export function resolveBind(given: ReadonlyMap<string, number>, symbols: readonly string[], command: string, defaults: boolean): { bind: Map<string, number>; defaulted: string[] } {
  for (const k of given.keys()) {
    if (!symbols.includes(k)) throw new UsageError(`${command}: --bind ${k}: the model has no symbolic dim ${k} (${symbols.length ? `its dims: ${symbols.join(", ")}` : "it has none"})`);
  }
  const missing = symbols.filter((s) => !given.has(s));
  if (missing.length && !defaults) {
    throw new UsageError(`${command}: the plan is specialised to its shapes: give ${missing.map((s) => `--bind ${s}=N`).join(" ")} (symbolic dims: ${symbols.join(", ")})`);
  }
  const bind = new Map(given);
  for (const s of missing) bind.set(s, defaultDim(s));
  return { bind: new Map([...bind].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), defaulted: missing };
}

/** `B=2, T=16` (the defaulted ones marked, and those another source gave: `B=3 (from x)`). */
export function renderBind(bind: ReadonlyMap<string, number>, defaulted: readonly string[] = [], from: ReadonlyMap<string, string> = new Map()): string {
  const note = (k: string): string => (defaulted.includes(k) ? " (default)" : from.has(k) ? ` (${from.get(k)})` : "");
  return [...bind].map(([k, v]) => `${k}=${v}${note(k)}`).join(", ") || "no symbolic dims";
}
