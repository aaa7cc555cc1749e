// The text form of `mm diff`: a header, argument changes, the component tree (changed,
// added and removed components, repeat-stack layers folded into ranges), parameter totals
// and model-level differences. Colour only when asked (a TTY without NO_COLOR).
import type { ComponentDiff, ModelDiff } from "./diff.js";
import type { EntryChange } from "./model-level.js";
import type { ForwardDiff } from "./forward.js";

/** Changed statements shown per forward in text; JSON has all. */
const MAX_STATEMENTS = 12;

const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
type Colour = keyof typeof CODES;

export const fmtInt = (n: number): string => n.toLocaleString("en-US");
/** 4.41 G, 12.3 M: FLOP counts. */
export const fmtCount = (n: number): string =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} G` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(2)} K` : String(n);
export const fmtBytes = (n: number): string =>
  n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(2)} KiB` : `${n} B`;
export const fmtDelta = (n: number): string => (n > 0 ? "+" : n < 0 ? "-" : "±") + fmtInt(Math.abs(n));

const MARK = { same: "=", changed: "~", added: "+", removed: "-" } as const;
const TONE: Record<keyof typeof MARK, Colour> = { same: "dim", changed: "yellow", added: "green", removed: "red" };

/** Folds runs of numbered stack layers that differ in the same way into one entry. */
export function foldLayers(children: readonly ComponentDiff[]): { c: ComponentDiff; last?: string }[] {
  const out: { c: ComponentDiff; last?: string }[] = [];
  const key = (c: ComponentDiff): string => JSON.stringify([c.status, c.block, c.blockA, c.params, c.args.map((a) => [a.arg, a.a, a.b]), c.shapes]);
  for (const c of children) {
    const prev = out[out.length - 1];
    if (prev && /^\d+$/.test(c.name) && /^\d+$/.test(prev.last ?? prev.c.name) && Number(c.name) === Number(prev.last ?? prev.c.name) + 1 && key(prev.c) === key(c)) prev.last = c.name;
    else out.push({ c });
  }
  return out;
}

export function renderDiff(d: ModelDiff, opts: { color: boolean; depth: number }): string {
  const paint = (c: Colour, s: string): string => (opts.color ? `\x1b[${CODES[c]}m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const side = (m: ModelDiff["a"]): string => `${m.variantOf ? `${m.name} (variant of ${m.variantOf})` : m.name}  ${m.file}`;
  lines.push(paint("bold", `--- ${side(d.a)}`), paint("bold", `+++ ${side(d.b)}`));
  lines.push(`aligned by ${d.alignment === "path" ? "declaration path" : "declaration path, then the same block under another name (a rename)"}`);
  if (d.identical) {
    lines.push("", "identical");
    return lines.join("\n") + "\n";
  }
  if (d.args.length) {
    lines.push("", paint("bold", "arguments"));
    for (const a of d.args) lines.push(`  ${a.path ? a.path + "." : ""}${a.arg}: ${paint("red", a.a)} → ${paint("green", a.b)}`);
  }
  lines.push("", paint("bold", "components"));
  /** A forward diff: the calls that changed, then the statements (the first MAX_STATEMENTS). */
  const mathLines = (f: ForwardDiff, indent: string, title = "forward"): void => {
    const calls = [...f.calls.removed.map((c) => paint("red", `-${c}`)), ...f.calls.added.map((c) => paint("green", `+${c}`))];
    lines.push(`${indent}${title}${calls.length ? `${title ? ": " : ""}calls ${calls.join(" ")}` : `${title ? " " : ""}statements differ`}`);
    for (const ch of f.changes.slice(0, MAX_STATEMENTS)) {
      if (ch.a !== undefined) lines.push(paint("red", `${indent}  - ${ch.a}`));
      if (ch.b !== undefined) lines.push(paint("green", `${indent}  + ${ch.b}`));
    }
    if (f.changes.length > MAX_STATEMENTS) lines.push(`${indent}  (${f.changes.length - MAX_STATEMENTS} more changed statements in --json)`);
  };
  const walk = (cs: readonly ComponentDiff[], depth: number, indent: string): void => {
    for (const { c, last } of foldLayers(cs)) {
      const name = last ? `${c.name}..${last}` : c.name;
      const block = c.blockA ? `${c.blockA} → ${c.block}` : c.block;
      const kind = c.kindA ? `${c.kindA} → ${c.kind}` : c.kind;
      const how = c.match === "declaration" ? `  [renamed from ${c.pathA}: the same ${c.kind === "block" ? "block" : c.kind}]` : "";
      const p = c.status === "added" ? fmtInt(c.params.b) : c.status === "removed" ? fmtInt(c.params.a)
        : c.params.delta === 0 ? fmtInt(c.params.b) : `${fmtInt(c.params.a)} → ${fmtInt(c.params.b)} (${fmtDelta(c.params.delta)})`;
      const each = (last ? " each" : "") + (c.kind === "ema" ? " (EMA teacher: updated, not trained; not counted)" : "");
      lines.push(paint(TONE[c.status], `${indent}${MARK[c.status]} ${name}  ${kind} ${block}  ${p}${each}`) + how);
      if (c.status !== "changed") continue;
      if (c.flops && c.flops.delta !== 0) lines.push(paint("dim", `${indent}    FLOPs: ${fmtCount(c.flops.a)} → ${fmtCount(c.flops.b)}`));
      for (const a of c.args) lines.push(paint("dim", `${indent}    ${a.arg}: ${a.a} → ${a.b}`));
      for (const s of c.shapes) lines.push(paint("dim", `${indent}    ${s.role} ${s.nameA ? `${s.nameA} → ${s.name}` : s.name}: ${s.a ?? "(none)"} → ${s.b ?? "(none)"}`));
      if (c.forward) mathLines(c.forward, `${indent}    `);
      if (depth < opts.depth) walk(c.children.filter((k) => k.status !== "same"), depth + 1, indent + "    ");
    }
  };
  walk(d.components, 1, "  ");
  if (d.forward) {
    lines.push("", paint("bold", "forward"));
    mathLines(d.forward, "  ", "");
  }
  lines.push("", `${paint("bold", "parameters")}  ${fmtInt(d.params.a)} → ${fmtInt(d.params.b)} (${fmtDelta(d.params.delta)})`);
  const total = (title: string, x: ModelDiff["flops"], f: (n: number) => string): void => {
    if (x) lines.push(`${paint("bold", title)}  ${f(x.a)} → ${f(x.b)} (${x.delta >= 0 ? "+" : "-"}${f(Math.abs(x.delta))})`);
  };
  if (d.active) {
    const x = d.active.params;
    lines.push(`${paint("bold", "active parameters")}  ${fmtInt(x.a)} → ${fmtInt(x.b)} (${fmtDelta(x.delta)})  (top-k routed experts: the gate and the k largest per block)`);
  }
  total("FLOPs (batch 1)", d.flops, fmtCount);
  if (d.active?.flops) total("active FLOPs (batch 1)", d.active.flops, fmtCount);
  total("weights", d.weightBytes, fmtBytes);
  total("activations (batch 1)", d.activationBytes, fmtBytes);
  const section = (title: string, es: readonly EntryChange[], cap = Infinity): void => {
    if (!es.length) return;
    lines.push("", paint("bold", title));
    // A ResNet has three buffers per BatchNorm: the first few say what changed, --json has all.
    if (es.length > cap) lines.push(`  (${es.length} changes; the first ${cap} here, all in --json)`);
    for (const e of es.slice(0, cap)) {
      if (e.status === "changed") lines.push(paint("yellow", `  ~ ${e.nameA ? `${e.nameA} → ${e.name}` : e.name}: ${e.a} → ${e.b}`));
      else lines.push(paint(TONE[e.status], `  ${MARK[e.status]} ${e.name}: ${e.a ?? e.b}`));
    }
  };
  section("inputs", d.model.inputs);
  section("buffers", d.model.buffers, 9);
  section("tasks", d.model.tasks);
  section("losses", d.model.losses);
  section("stages", d.model.stages);
  section("frozen", d.model.frozen);
  return lines.join("\n") + "\n";
}
