// `mm diff --html OUT`: one self-contained page (inline style and a small inline script, no
// network): the two models and their files, the totals (parameters, active parameters and
// FLOPs of routed experts, FLOPs, weight and activation memory), the argument changes, the
// component tree (changes only, collapsed to the top level; html-tree.ts) and the
// model-level differences (inputs, buffers, tasks, losses, stages, frozen sets).
import type { Delta, ModelDiff } from "./diff.js";
import type { EntryChange } from "./model-level.js";
import { SCRIPT, STYLE } from "./html-assets.js";
import { esc, forwardHtml, treeRows } from "./html-tree.js";
import { fmtBytes, fmtCount, fmtInt } from "./render.js";

function totals(d: ModelDiff): string {
  const rows: string[] = [];
  const row = (key: string, title: string, x: Delta | undefined, f: (n: number) => string, note = ""): void => {
    if (!x) return;
    const pct = x.a !== 0 && x.delta !== 0 ? `${x.delta > 0 ? "+" : ""}${(100 * x.delta / x.a).toFixed(1)}%` : "";
    const tone = x.delta > 0 ? "up" : x.delta < 0 ? "down" : "";
    const dd = x.delta === 0 ? "±0" : `${x.delta > 0 ? "+" : "-"}${f(Math.abs(x.delta))}`;
    rows.push(`<tr data-total="${key}" data-a="${x.a}" data-b="${x.b}" data-delta="${x.delta}"><th>${title}${note ? ` <small>${note}</small>` : ""}</th>`
      + `<td class="n">${f(x.a)}</td><td class="n">${f(x.b)}</td><td class="n ${tone}">${dd}</td><td class="n ${tone}">${pct}</td></tr>`);
  };
  row("params", "parameters", d.params, fmtInt);
  if (d.active) row("active-params", "active parameters", d.active.params, fmtInt, "the gate and the k largest experts of each top-k block");
  row("flops", "FLOPs", d.flops, fmtCount, "batch 1");
  if (d.active?.flops) row("active-flops", "active FLOPs", d.active.flops, fmtCount, "batch 1");
  row("weights", "weights", d.weightBytes, fmtBytes);
  row("activations", "activations", d.activationBytes, fmtBytes, "batch 1, the sum over ops");
  return `<table id="totals"><tr><th></th><th class="n">${esc(d.a.name)}</th><th class="n">${esc(d.b.name)}</th><th class="n">delta</th><th class="n"></th></tr>\n${rows.join("\n")}\n</table>`;
}

const STATUS_MARK = { added: "+", removed: "-", changed: "~" } as const;
const STATUS_CLASS = { added: "hl-added", removed: "hl-removed", changed: "hl-self" } as const;

/** One model-level section (tasks, stages, ...) as a table, or nothing when it has no change. */
function section(id: string, title: string, es: readonly EntryChange[]): string {
  if (!es.length) return "";
  const rows = es.map((e) => `<tr class="${STATUS_CLASS[e.status]}"><td class="mk">${STATUS_MARK[e.status]}</td>`
    + `<td><code>${esc(e.nameA ? `${e.nameA} → ${e.name}` : e.name)}</code></td><td>${esc(e.a ?? "")}</td><td>${esc(e.b ?? "")}</td></tr>`);
  return `<h2>${title}</h2><table id="${id}"><tr><th></th><th>name</th><th>A</th><th>B</th></tr>\n${rows.join("\n")}\n</table>`;
}

function header(d: ModelDiff): string {
  const side = (mark: string, m: ModelDiff["a"]): string =>
    `${mark} ${esc(m.name)}${m.variantOf ? ` (variant of ${esc(m.variantOf)})` : ""}  ${esc(m.file)}`;
  const how = d.alignment === "path" ? "declaration path" : "declaration path, then the same block under another name (a rename)";
  return `<h1>${esc(d.a.name)} → ${esc(d.b.name)}</h1>
<p class="files">${side("---", d.a)}<br>${side("+++", d.b)}</p>
<p><small>aligned by ${how}; FLOPs and activations at batch 1 (every symbolic dim 1)</small></p>`;
}

export function renderHtml(d: ModelDiff): string {
  const m = d.model;
  const args = d.args.map((a) => `<li><code>${esc(`${a.path ? a.path + "." : ""}${a.arg}: `)}<del>${esc(a.a)}</del> → <ins>${esc(a.b)}</ins></code></li>`).join("");
  const body = d.identical ? "<p id=\"identical\">identical</p>" : `${totals(d)}
${args ? `<h2>arguments</h2><ul id="args">${args}</ul>` : ""}
${d.forward ? `<h2>forward</h2>${forwardHtml(d.forward)}` : ""}
<h2>components</h2>
<div class="controls"><label><input type="checkbox" id="changes-only" autocomplete="off" checked> changes only</label><button id="expand-all">expand all</button><button id="collapse-all">collapse all</button>
<small>highlighted: changed itself (arguments, block, a rename), added or removed; plain: changed only in shapes or below</small></div>
<table id="tree"><thead><tr><th>component</th><th>kind, block</th><th class="n">${esc(d.a.name)}</th><th class="n">${esc(d.b.name)}</th><th class="n">params</th><th class="n">FLOPs</th><th class="n">activations</th><th>what changed</th></tr></thead>
<tbody>
${treeRows(d.components).join("\n")}
</tbody></table>
${section("inputs", "inputs", m.inputs)}${section("buffers", "buffers", m.buffers)}${section("tasks", "tasks", m.tasks)}${section("losses", "losses", m.losses)}${section("stages", "stages", m.stages)}${section("frozen", "frozen (per stage)", m.frozen)}
<script>${SCRIPT}</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mm diff ${esc(d.a.name)} ${esc(d.b.name)}</title><style>${STYLE}</style></head>
<body class="only">
${header(d)}
${body}
</body></html>
`;
}
