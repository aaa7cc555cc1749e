// `mm graph --format html`: an interactive page, one self-contained file (inline style,
// data and script; nothing fetched). The page holds the whole instance tree and the traced
// graph, reduced to what the diagram rules need, and draws whatever is open: click a box to
// open it, a cluster's header to close it, "ops" to show a component's own ops. It opens
// where the command line's --level, --depth and --expand say.
import type { Graph } from "../../check/graph.js";
import { formatTensorType } from "../../base/tensor.js";
import { allParams, type ElaboratedModel, type Instance } from "../../elaborate/instance.js";
import { paramCount } from "../params.js";
import { indexTree, instanceOf, shapeText } from "./diagram.js";
import { COLOURS } from "./dot.js";
import { insideOf, kindOf, kindText, trainingOf } from "./kinds.js";
import { PAGE_SCRIPT } from "./page-script.js";
import type { View } from "./view.js";

interface PageInstance {
  /** Path, name, declaration, kind drawn, kind line, parameters, training. */
  readonly p: string; readonly n: string; readonly d: string; readonly k: string; readonly kt: string; readonly pa: number; readonly t: string;
  /** Parent's index (-1 for the model), number of children, whether it runs ops of its own. */
  readonly par: number; readonly kids: number; readonly own: boolean;
  /** Initial state: 0 closed, 1 open, 2 open with its ops. */
  readonly s: 0 | 1 | 2;
  /** Order among top-level items (towers either side of fusion and experts, losses last). */
  readonly ord: number;
  readonly ins?: string; readonly ik?: string;
}

export interface PageData {
  readonly model: string;
  readonly view: string;
  readonly instances: readonly PageInstance[];
  /** Per traced node: owner instance, op, output shape (index into shapes, -1 none), input value ids, node id. */
  readonly nodes: readonly (readonly [number, string, number, readonly number[], number])[];
  /** Per value: producing node's index (-1: an input, a parameter or a constant), shape index, rank. */
  readonly values: readonly (readonly [number, number, number])[];
  readonly shapes: readonly string[];
  readonly inputs: readonly { readonly name: string; readonly value: number; readonly shape: string }[];
  readonly outputs: readonly { readonly name: string; readonly role: "output" | "loss"; readonly value: number; readonly shape: string }[];
  readonly colours: typeof COLOURS;
}

/** Top-level order: the first half of the towers, fusion and experts, the other towers, the rest, losses. */
function topOrder(root: Instance): Map<string, number> {
  const top = [...root.children.values()];
  const towers = top.filter((i) => kindOf(i) === "tower");
  const first = new Set(towers.slice(0, Math.ceil(towers.length / 2)));
  return new Map(top.map((i) => {
    const k = kindOf(i);
    return [i.path, k === "tower" ? (first.has(i) ? 1 : 3) : k === "fusion" || k === "experts" ? 2 : k === "loss" ? 5 : 4];
  }));
}

export function pageData(model: ElaboratedModel, graph: Graph, view: View, describe: string): PageData {
  const tree = indexTree(model.root);
  const order = topOrder(model.root);
  const index = new Map<string, number>();
  const list: Instance[] = [];
  const walk = (i: Instance): void => {
    index.set(i.path, list.length);
    list.push(i);
    for (const c of i.children.values()) walk(c);
  };
  walk(model.root);
  const shapes: string[] = [];
  const shapeIndex = new Map<string, number>();
  const intern = (s: string): number => {
    let i = shapeIndex.get(s);
    if (i === undefined) shapeIndex.set(s, (i = shapes.push(s) - 1));
    return i;
  };
  const owners = graph.nodes.map((n) => index.get(instanceOf(tree, n.scope))!);
  const owning = new Set(owners);
  const instances = list.map((inst, i): PageInstance => {
    const inside = insideOf(inst);
    const open = inst.path === "" || view.isOpen(inst.path);
    return {
      p: inst.path, n: inst.name, d: inst.declName, k: kindOf(inst), kt: kindText(inst),
      pa: allParams(inst).filter((p) => !p.ema).reduce((a, p) => a + paramCount(p), 0), t: trainingOf(model, inst),
      par: inst.path === "" ? -1 : index.get(tree.parent.get(inst.path)!)!, kids: inst.children.size, own: owning.has(i),
      s: !open ? 0 : view.showsOps(inst.path) ? 2 : 1, ord: order.get(inst.path) ?? 0,
      ...(inside ? { ins: inside.text, ik: inside.kind } : {}),
    };
  });
  const nodeIndex = new Map(graph.nodes.map((n, k) => [n.id, k]));
  return {
    model: model.name, view: describe, instances,
    nodes: graph.nodes.map((n, k) => [owners[k]!, n.op, n.outputs[0] === undefined ? -1 : intern(formatTensorType(graph.values[n.outputs[0]]!.type)),
      n.inputs.filter((x): x is number => x !== null), n.id] as const),
    values: graph.values.map((v, id) => [v.source.kind === "node" ? nodeIndex.get(graph.nodes[v.source.node]!.id) ?? -1 : -1, intern(shapeText(graph, id)), v.type.shape.length] as const),
    shapes,
    inputs: graph.inputs.map((i) => ({ name: i.name, value: i.value, shape: formatTensorType(graph.values[i.value]!.type) })),
    outputs: [
      ...graph.outputs.map((o) => ({ name: o.name, role: "output" as const, value: o.value, shape: formatTensorType(graph.values[o.value]!.type) })),
      ...graph.losses.map((o) => ({ name: o.name, role: "loss" as const, value: o.value, shape: "loss" })),
    ],
    colours: COLOURS,
  };
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const STYLE = `body{font:13px/1.35 Helvetica,Arial,sans-serif;margin:1.2em;color:#111827}
h1{font-size:1.3em;margin:0 0 .3em}.bar{margin:.3em 0 .8em}.bar button{margin-right:.5em}
.legend span{display:inline-block;padding:.1em .5em;margin-right:.3em;border:1px solid;border-radius:4px;font-size:.9em}
.canvas{position:relative;display:inline-block;min-width:100%}
.rows{display:flex;flex-direction:column-reverse;gap:34px;align-items:center;padding:6px 10px 10px}
.row{display:flex;gap:18px;align-items:flex-end;justify-content:center}
.unit{border:1.6px solid #6b7280;border-radius:7px;padding:4px 9px;background:#fff;text-align:center;white-space:nowrap;position:relative;z-index:2}
.unit.openable{cursor:zoom-in}.unit.op{border-color:#9ca3af;font-size:11px;padding:2px 7px}
.unit.io{background:#f9fafb;border-color:#374151}.unit.loss{background:#fee2e2;border-color:#dc2626;border-radius:14px}
.small{font-size:11px;color:#374151}
.cluster{border:1.6px solid #6b7280;border-radius:9px}
.cluster>.head{padding:3px 9px;cursor:zoom-out;font-size:12px;text-align:center}
.cluster>.head button{font-size:10px;margin-left:.6em;cursor:pointer}
svg.edges{position:absolute;left:0;top:0;pointer-events:none;z-index:1;overflow:visible}
svg.edges path{fill:none;stroke:#4b5563;stroke-width:1.2}
svg.edges text{font-size:10px;fill:#374151;paint-order:stroke;stroke:#fff;stroke-width:3px}`;

/** The whole page: title, buttons, legend, the data and the script. */
export function interactivePage(model: ElaboratedModel, graph: Graph, view: View, describe: string): string {
  const data = pageData(model, graph, view, describe);
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  const legend = ["tower", "fusion", "experts", "head", "loss", "block"]
    .map((k) => { const c = COLOURS.kinds[k] ?? COLOURS.other; return `<span style="background:${c.fill};border-color:${c.line}">${k}</span>`; }).join("")
    + `<span style="background:${COLOURS.frozen};border-color:#6b7280;border-style:dashed">frozen</span>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(`${model.name} (${describe})`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${esc(model.name)}</h1>
<p class="bar"><button id="collapse">model level</button><button id="expand">open all</button><button id="reset">as given (${esc(describe)})</button>
<small>click a box to open it, a cluster's title to close it; data flows upward</small></p>
<p class="legend">${legend}</p>
<div id="diagram"><noscript>This page draws the diagram with a script; mm graph --format svg draws it without one.</noscript></div>
<script type="application/json" id="mm-data">${json}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}
