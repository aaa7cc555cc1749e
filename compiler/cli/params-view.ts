// Text rendering of `mm params`.
import type { ComponentCount, ParamReport } from "../tools/params.js";

export const fmt = (n: number): string => n.toLocaleString("en-US");

export function renderParams(r: ParamReport): string {
  const rows: string[][] = [["component", "kind", "block", "params", "trainable"]];
  const walk = (c: ComponentCount, indent: string): void => {
    rows.push([indent + c.name, c.kind, c.block, fmt(c.params), fmt(c.trainable)]);
    for (const k of c.children ?? []) walk(k, indent + "  ");
  };
  for (const c of r.components) walk(c, "");
  rows.push(["total", "", "", fmt(r.total), fmt(r.trainable)]);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i >= 3 ? cell.padStart(w[i]!) : cell.padEnd(w[i]!))).join("  ").trimEnd();
  const out = [`model ${r.model}`, "", line(rows[0]!), ...rows.slice(1, -1).map(line), "-".repeat(line(rows[0]!).length), line(rows[rows.length - 1]!)];
  if (r.ema) out.push("", `EMA teacher copies: ${fmt(r.ema)} (not trained, not in total)`);
  if (r.stages.length) {
    out.push("", "stage         trainable         frozen  trains");
    for (const s of r.stages) out.push(`${s.name.padEnd(12)} ${fmt(s.trainable).padStart(11)} ${fmt(s.frozen).padStart(14)}  ${s.trains.join(", ") || "-"}${s.tasks.length ? `  (tasks: ${s.tasks.join(", ")})` : ""}`);
  }
  return out.join("\n") + "\n";
}
