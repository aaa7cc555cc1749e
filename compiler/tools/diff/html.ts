// `mm diff --html OUT`: a self-contained page, the two models side by side, one row per
// aligned component (stack layers folded), coloured by status; no scripts, no external files.
import type { ComponentDiff, ModelDiff } from "./diff.js";
import type { EntryChange } from "./model-level.js";
import { fmtDelta, fmtInt, foldLayers } from "./render.js";

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{padding:2px 8px;border-bottom:1px solid #eee;vertical-align:top;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}code{font:12px ui-monospace,monospace}
tr.added td.b,tr.added td.d{background:#e6ffec}tr.removed td.a,tr.removed td.d{background:#ffebe9}
tr.changed td{background:#fff8c5}tr.same td{color:#888}small{color:#666}`;

export function renderHtml(d: ModelDiff): string {
  const rows: string[] = [];
  const cell = (c: ComponentDiff, side: "a" | "b", name: string): string => {
    if ((side === "a" && c.status === "added") || (side === "b" && c.status === "removed")) return "<td></td><td></td>";
    const block = side === "a" ? c.blockA ?? c.block : c.block;
    const kind = side === "a" ? c.kindA ?? c.kind : c.kind;
    const path = side === "a" ? c.pathA ?? c.path : c.path;
    const args = c.args.map((x) => `${x.arg}: ${side === "a" ? x.a : x.b}`).concat(c.shapes.map((s) => `${s.role} ${side === "a" ? s.nameA ?? s.name : s.name}: ${(side === "a" ? s.a : s.b) ?? "-"}`));
    const indent = "&nbsp;".repeat(2 * (path.split(".").length - 1));
    const shown = side === "a" && c.pathA !== undefined ? c.pathA.split(".").pop()! : name;
    return `<td class="${side}">${indent}<code>${esc(shown)}</code> <small>${esc(kind)} ${esc(block)}</small>${args.length ? `<br>${indent}<small>${esc(args.join("; "))}</small>` : ""}</td>`
      + `<td class="n ${side}">${fmtInt(side === "a" ? c.params.a : c.params.b)}</td>`;
  };
  const walk = (cs: readonly ComponentDiff[]): void => {
    for (const { c, last } of foldLayers(cs)) {
      const name = last ? `${c.name}..${last}` : c.name;
      const how = c.match ? ` <small>(${c.match})</small>` : "";
      rows.push(`<tr class="${c.status}">${cell(c, "a", name)}${cell(c, "b", name)}<td class="n d">${c.params.delta ? fmtDelta(c.params.delta) : ""}${how}</td></tr>`);
      if (c.status === "changed") walk(c.children);
    }
  };
  walk(d.components);
  const args = d.args.map((a) => `<li><code>${esc(`${a.path ? a.path + "." : ""}${a.arg}: ${a.a} → ${a.b}`)}</code></li>`).join("");
  const section = (title: string, es: readonly EntryChange[]): string => es.length
    ? `<h3>${title}</h3><ul>${es.map((e) => `<li><code>${esc(`${e.status} ${e.nameA ? `${e.nameA} → ` : ""}${e.name}: ${e.a ?? ""}${e.status === "changed" ? " → " : ""}${e.b ?? ""}`)}</code></li>`).join("")}</ul>` : "";
  const m = d.model;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>mm diff ${esc(d.a.name)} ${esc(d.b.name)}</title><style>${STYLE}</style></head><body>
<h1>${esc(d.a.name)} → ${esc(d.b.name)}</h1>
<p>${d.identical ? "identical" : `parameters ${fmtInt(d.params.a)} → ${fmtInt(d.params.b)} (${fmtDelta(d.params.delta)})`}; aligned by ${d.alignment === "path" ? "declaration path" : "declaration path, then kind and structure"}</p>
${args ? `<h3>arguments</h3><ul>${args}</ul>` : ""}
<table><tr><th>${esc(d.a.name)}</th><th>params</th><th>${esc(d.b.name)}</th><th>params</th><th>delta</th></tr>
${rows.join("\n")}
</table>
${section("inputs", m.inputs)}${section("buffers", m.buffers)}${section("tasks", m.tasks)}${section("losses", m.losses)}${section("stages", m.stages)}${section("frozen", m.frozen)}
</body></html>
`;
}
