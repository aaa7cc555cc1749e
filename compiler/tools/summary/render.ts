// Text rendering of `mm summary`: a torchinfo-like table by component.
import type { ComponentSummary, Summary } from "./summary.js";

const fmt = (n: number): string => n.toLocaleString("en-US");

/** 4410000000 → "4.41 G"; small numbers as they are. */
export function human(n: number, unit = ""): string {
  const steps: readonly [number, string][] = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "K"]];
  for (const [v, s] of steps) if (Math.abs(n) >= v) return `${(n / v).toFixed(2)} ${s}${unit}`;
  return `${n}${unit ? " " + unit : ""}`;
}

export function bytes(n: number): string {
  const steps: readonly [number, string][] = [[2 ** 30, "GiB"], [2 ** 20, "MiB"], [2 ** 10, "KiB"]];
  for (const [v, s] of steps) if (n >= v) return `${(n / v).toFixed(2)} ${s}`;
  return `${n} B`;
}

export function renderSummary(s: Summary): string {
  // With top-k routed experts, an "active MACs" column: the cost less the unchosen experts.
  const sp = s.sparse;
  const head = ["component", "kind", "output shape", "params", "trainable", "MACs", ...(sp ? ["active MACs"] : []), "FLOPs", "activations"];
  const rows: string[][] = [head];
  const walk = (c: ComponentSummary, indent: string): void => {
    const outs = c.outputs.length ? c.outputs : ["-"];
    rows.push([indent + c.name, c.kind === "block" ? c.block : `${c.kind} ${c.block}`, outs[0]!, fmt(c.params.total), fmt(c.params.trainable), human(c.macs),
      ...(sp ? [human(c.active?.macs ?? c.macs)] : []), human(c.flops), bytes(c.activationBytes)]);
    for (const o of outs.slice(1)) rows.push(["", "", o, ...head.slice(3).map(() => "")]);
    for (const k of c.children ?? []) walk(k, indent + "  ");
  };
  for (const c of s.components) walk(c, "");
  const totalRow = ["total", "", "", fmt(s.params.total), fmt(s.params.trainable), human(s.macs.total), ...(sp ? [human(sp.macs.active)] : []), human(s.flops.total), bytes(s.memory.activationBytes)];
  rows.push(totalRow);
  const w = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => r.map((cell, i) => (i >= 3 ? cell.padStart(w[i]!) : cell.padEnd(w[i]!))).join("  ").trimEnd();
  const bound = Object.entries(s.bindings).map(([k, v]) => `${k}=${v}`).join(", ");
  const out = [
    `model ${s.model}`,
    `inputs bound at: ${bound || "(no symbolic dims)"}  (symbols not given with --input are 1)`,
    "",
    line(head), ...rows.slice(1, -1).map(line), "-".repeat(line(head).length), line(totalRow), "",
    `MACs: products of matmul, linear, convolution and attention; FLOPs: 2 per MAC plus norms, softmax, activations and elementwise ops (docs/summary.md)`,
    `activation memory (${s.dtype}): peak ${bytes(s.memory.peakActivationBytes)} alive at once (inference in graph order, freed after last use, views shared; inputs and weights not included); sum of every intermediate value ${bytes(s.memory.activationBytes)}`,
    `weight memory: ${bytes(s.memory.weightBytes)} (${Object.entries(s.memory.weights).map(([d, v]) => `${d}: ${fmt(v.params)} params, ${bytes(v.bytes)}`).join("; ")})`,
  ];
  const t = s.memory.train;
  if (t) {
    out.push(
      `training memory (Adam, ${s.dtype}): ${bytes(t.totalBytes)} = weights ${bytes(t.weightBytes)} + gradients ${bytes(t.gradientBytes)} (${fmt(t.trainableParams)} trainable params)` +
        ` + Adam moments ${bytes(t.optimizerBytes)} (2 per trainable param, float32) + activations kept for backward ${bytes(t.activationBytes)} (the sum of every intermediate: an upper bound)`,
    );
    for (const st of t.stages) out.push(`  stage ${st.name}: ${bytes(st.totalBytes)} (${fmt(st.trainableParams)} trainable params)`);
  }
  if (sp) {
    out.push(
      `sparse experts (dense lowering: every expert runs, the unchosen weighted by zero; "active" counts each top-k block's gate and its k largest experts):`,
      `  active: ${fmt(sp.params.active)} of ${fmt(s.params.total)} params, ${human(sp.macs.active)} of ${human(s.macs.total)} MACs, ${human(sp.flops.active)} of ${human(s.flops.total)} FLOPs at these bindings`,
    );
    for (const b of sp.blocks) {
      out.push(`  ${b.path} (${b.block}): top-${b.k} of ${b.experts}, ${fmt(b.tokens)} tokens; per token ${human(b.perToken.macs)} MACs, ${human(b.perToken.flops)} FLOPs active (dense ${human(b.dense.macs / (b.tokens || 1))} MACs, ${human(b.dense.flops / (b.tokens || 1))} FLOPs)`);
    }
  }
  if (s.params.ema) out.push(`EMA teacher copies: ${fmt(s.params.ema)} params (not in total)`);
  if (s.stages.length) {
    out.push("", "stage         trainable         frozen  trains");
    for (const st of s.stages) out.push(`${st.name.padEnd(12)} ${fmt(st.trainable).padStart(11)} ${fmt(st.frozen).padStart(14)}  ${st.trains.join(", ") || "-"}`);
  }
  return out.join("\n") + "\n";
}
