// Text rendering of `mm params`.
import type { ComponentCount, ParamReport } from "../tools/params.js";

export const fmt = (n: number): string => n.toLocaleString("en-US");

export function renderParams(r: ParamReport): string {
  // A model with top-k routed experts gets an "active" column: what one token uses.
  const sparse = r.active !== undefined;
  const rows: string[][] = [["component", "kind", "block", "params", ...(sparse ? ["active"] : []), "trainable"]];
  const walk = (c: ComponentCount, indent: string): void => {
    rows.push([indent + c.name, c.kind, c.block, fmt(c.params), ...(sparse ? [fmt(c.active ?? c.params)] : []), fmt(c.trainable)]);
    for (const k of c.children ?? []) walk(k, indent + "  ");
  };
  for (const c of r.components) walk(c, "");
  rows.push(["total", "", "", fmt(r.total), ...(sparse ? [fmt(r.active!)] : []), fmt(r.trainable)]);
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]): string => row.map((cell, i) => (i >= 3 ? cell.padStart(w[i]!) : cell.padEnd(w[i]!))).join("  ").trimEnd();
  const out = [`model ${r.model}`, "", line(rows[0]!), ...rows.slice(1, -1).map(line), "-".repeat(line(rows[0]!).length), line(rows[rows.length - 1]!)];
  if (sparse) {
    out.push("", `active: ${fmt(r.active!)} of ${fmt(r.total)} parameters per token: each top-k routed block counts its gate and its k largest experts (the lowering is dense: every expert runs, the unchosen weighted by zero)`);
  }
  if (r.ema) out.push("", `EMA teacher copies: ${fmt(r.ema)} (not trained, not in total)`);
  if (r.buffers.tensors) out.push("", `buffers: ${fmt(r.buffers.tensors)} tensors, ${fmt(r.buffers.elements)} values (running statistics and the like: saved with the weights, never trained, not in total)`);
  if (r.stages.length) {
    const rows2 = [["stage", "trainable", "frozen", "trains"], ...r.stages.map((s) => [
      s.name, fmt(s.trainable), fmt(s.frozen), `${s.trains.join(", ") || "-"}${s.tasks.length ? `  (tasks: ${s.tasks.join(", ")})` : ""}`,
    ])];
    const w2 = [0, 1, 2].map((i) => Math.max(...rows2.map((row) => row[i]!.length)));
    out.push("", ...rows2.map((row) => `${row[0]!.padEnd(w2[0]!)}  ${row[1]!.padStart(w2[1]!)}  ${row[2]!.padStart(w2[2]!)}  ${row[3]}`.trimEnd()));
  }
  return out.join("\n") + "\n";
}
