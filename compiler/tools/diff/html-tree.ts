// The component tree of the HTML diff as table rows. Each row knows its parent, so the
// page's script can collapse and expand subtrees; every row but the top level starts
// hidden. A folded run of identical stack layers is one row whose numbers are the run's
// sums (its layers are its children), where the text form prints one layer's "each".
// Only rows that changed in themselves are highlighted; a row that changed only because
// shapes shifted, or only below it, is plain, and "changes only" hides subtrees with no
// highlighted row.
import type { ComponentDiff, Delta } from "./diff.js";
import { fmtBytes, fmtCount, fmtDelta, fmtInt, foldLayers } from "./render.js";

export const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Why a row is coloured: added, removed, changed in itself, or not at all. */
type Mark = "added" | "removed" | "self" | "none";

/** A row before rendering: one component, or a folded run of layers. */
interface Item {
  readonly members: readonly ComponentDiff[];
  readonly name: string;
  readonly mark: Mark;
  /** Whether the row or anything under it is highlighted (shown with "changes only"). */
  readonly relevant: boolean;
  readonly children: readonly Item[];
}

function markOf(c: ComponentDiff): Mark {
  if (c.status === "added" || c.status === "removed") return c.status;
  const self = c.args.length > 0 || c.kindA !== undefined || c.blockA !== undefined || c.pathA !== undefined || c.forward !== undefined;
  return c.status === "changed" && self ? "self" : "none";
}

function items(cs: readonly ComponentDiff[]): Item[] {
  const out: Item[] = [];
  let at = 0;
  for (const { c, last } of foldLayers(cs)) {
    const count = last === undefined ? 1 : Number(last) - Number(c.name) + 1;
    const members = cs.slice(at, at + count);
    at += count;
    const children = count > 1 ? members.map((m) => item(m)) : c.status === "changed" ? items(c.children) : [];
    const mark = markOf(c);
    out.push({ members, name: last === undefined ? c.name : `${c.name}..${last}`, mark, relevant: mark !== "none" || children.some((k) => k.relevant), children });
  }
  return out;
}

function item(c: ComponentDiff): Item {
  return items([c])[0]!;
}

const sum = (ds: readonly (Delta | undefined)[]): Delta | undefined =>
  ds.some((d) => d === undefined) ? undefined : ds.reduce<Delta>((s, d) => ({ a: s.a + d!.a, b: s.b + d!.b, delta: s.delta + d!.delta }), { a: 0, b: 0, delta: 0 });

const signed = (n: number, f: (n: number) => string): string => (n === 0 ? "" : `${n > 0 ? "+" : "-"}${f(Math.abs(n))}`);

const MARK_TEXT = { added: "+", removed: "-", changed: "~", same: "=" } as const;

function details(c: ComponentDiff): string {
  const parts: string[] = [];
  if (c.pathA !== undefined && c.match === "declaration") parts.push(`renamed from <code>${esc(c.pathA)}</code>`);
  for (const a of c.args) parts.push(`<code>${esc(a.arg)}: <del>${esc(a.a)}</del> → <ins>${esc(a.b)}</ins></code>`);
  for (const s of c.shapes) {
    const name = s.nameA ? `${s.nameA} → ${s.name}` : s.name;
    parts.push(`<code class="shape">${esc(`${s.role} ${name}: ${s.a ?? "(none)"} → ${s.b ?? "(none)"}`)}</code>`);
  }
  if (c.forward) parts.push(forwardHtml(c.forward));
  return parts.join("<br>");
}

/** A forward's changed statements in a native <details> (open and shut without script). */
export function forwardHtml(f: NonNullable<ComponentDiff["forward"]>): string {
  const calls = [...f.calls.removed.map((x) => `<del>−${esc(x)}</del>`), ...f.calls.added.map((x) => `<ins>+${esc(x)}</ins>`)];
  const lines = f.changes.flatMap((ch) => [
    ...(ch.a !== undefined ? [`<del>- ${esc(ch.a)}</del>`] : []),
    ...(ch.b !== undefined ? [`<ins>+ ${esc(ch.b)}</ins>`] : []),
  ]);
  return `<details class="fwd"><summary>forward${calls.length ? `: calls ${calls.join(" ")}` : " statements differ"}</summary><pre>${lines.join("\n")}</pre></details>`;
}

/** The rows of the component table, in order. */
export function treeRows(components: readonly ComponentDiff[]): string[] {
  const rows: string[] = [];
  let next = 0;
  const emit = (it: Item, parent: string | undefined, depth: number): void => {
    const id = `r${next++}`;
    const c = it.members[0]!;
    const count = it.members.length;
    const params = sum(it.members.map((m) => m.params))!;
    const flops = sum(it.members.map((m) => m.flops));
    const act = sum(it.members.map((m) => m.activationBytes));
    const name = c.pathA !== undefined && c.pathA.split(".").pop() !== c.name ? `${c.pathA.split(".").pop()!} → ${c.name}` : it.name;
    const toggle = it.children.length
      ? `<button class="tg${it.children.some((k) => k.relevant) ? "" : " tg-ripple"}" aria-expanded="false" title="expand">▸</button>`
      : `<span class="tg"></span>`;
    const kind = c.kindA ? `${c.kindA} → ${c.kind}` : c.kind;
    const block = c.blockA ? `${c.blockA} → ${c.block}` : c.block;
    const each = count > 1 ? ` <small title="${count} identical layers, summed">×${count}</small>` : "";
    const pa = c.status === "added" ? "" : fmtInt(params.a);
    const pb = c.status === "removed" ? "" : fmtInt(params.b);
    const cls = [`st-${c.status}`, `hl-${it.mark}`, ...(it.relevant ? [] : ["ripple"])].join(" ");
    rows.push(`<tr id="${id}"${parent ? ` data-parent="${parent}"` : ""} class="${cls}" data-path="${esc(count > 1 ? c.path.replace(/[^.]*$/, it.name) : c.path)}"${count > 1 ? ` data-count="${count}"` : ""}`
      + ` data-params-delta="${params.delta}"${flops ? ` data-flops-delta="${flops.delta}"` : ""}${parent ? " hidden" : ""}>`
      + `<td class="name" style="padding-left:${0.4 + 1.2 * depth}em">${toggle}<span class="mk">${MARK_TEXT[c.status]}</span> <code>${esc(name)}</code>${each}</td>`
      + `<td><small>${esc(kind)}</small> ${esc(block)}</td>`
      + `<td class="n">${pa}</td><td class="n">${pb}</td><td class="n d">${params.delta ? fmtDelta(params.delta) : ""}</td>`
      + `<td class="n">${flops ? signed(flops.delta, fmtCount) : ""}</td><td class="n">${act ? signed(act.delta, fmtBytes) : ""}</td>`
      + `<td class="det">${count > 1 ? `<small>${count} layers, each ${c.status === "added" ? fmtInt(c.params.b) : c.status === "removed" ? fmtInt(c.params.a) : `${fmtInt(c.params.a)} → ${fmtInt(c.params.b)}`}</small>${c.args.length || c.shapes.length ? "<br>" : ""}` : ""}${details(c)}</td></tr>`);
    for (const k of it.children) emit(k, id, depth + 1);
  };
  for (const it of items(components)) emit(it, undefined, 0);
  return rows;
}
