// The key report as text: a verdict line, then each group of missing and unexpected keys
// with its count and the nearest group of the other side, then shape and dtype mismatches.
import type { KeyGroup, KeyReport } from "./report.js";

/** What a report is about: the checkpoint's path, format and tensor count. */
export interface CheckpointSummary {
  readonly path: string;
  readonly format: string;
  readonly tensors: ReadonlyMap<string, unknown>;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function groupLines(gs: readonly KeyGroup[], verb: string, excuse: string, other: string): string[] {
  const out: string[] = [];
  for (const g of gs) {
    const excused = g.allowed === g.keys.length ? ` (${excuse})` : g.allowed > 0 ? ` (${g.allowed} ${excuse})` : "";
    const example = g.keys.length > 1 ? `, e.g. ${g.keys[0]}` : g.pattern !== g.keys[0] ? ` (${g.keys[0]})` : "";
    out.push(`    ${g.pattern}: ${g.keys.length} ${verb}${excused}${example}`);
    if (g.nearest !== undefined) out.push(`      nearest ${other}: ${g.nearest}`);
  }
  return out;
}

export function renderKeyReport(r: KeyReport, model: string, c: CheckpointSummary): string {
  const lines = [`${c.path} (${c.format}, ${plural(c.tensors.size, "tensor")}) against ${model}: ${r.ok ? "loads" : "does not load"}`];
  lines.push(`  ${plural(r.matched, "tensor")} match`);
  const n = (gs: readonly KeyGroup[]): number => gs.reduce((s, g) => s + g.keys.length, 0);
  if (r.missing.length > 0) {
    lines.push(`  missing from the checkpoint: ${plural(n(r.missing), "key")} in ${plural(r.missing.length, "group")}`);
    lines.push(...groupLines(r.missing, "missing", "allowed", "in the checkpoint"));
  }
  if (r.unexpected.length > 0) {
    lines.push(`  unexpected in the checkpoint: ${plural(n(r.unexpected), "key")} in ${plural(r.unexpected.length, "group")}`);
    lines.push(...groupLines(r.unexpected, "unexpected", "ignored", "in the model"));
  }
  if (r.mismatched.length > 0) {
    lines.push(`  mismatched: ${plural(r.mismatched.length, "tensor")}`);
    for (const m of r.mismatched) {
      lines.push(`    ${m.path}: model [${m.model.shape.join(", ")}] ${m.model.dtype}, checkpoint [${m.checkpoint.shape.join(", ")}] ${m.checkpoint.dtype}`);
    }
  }
  return lines.join("\n");
}
