// The diagram as Graphviz DOT: data flows bottom to top (inputs at the bottom, losses at
// the top), towers side by side with fusion and experts between them, kinds coloured,
// frozen components shaded grey (half-shaded when partly frozen); a box that holds experts or
// fusion blocks says so and takes their colour for its border.
import { fmtCount, type Cluster, type Diagram, type Training, type Unit } from "./diagram.js";

const KIND: Readonly<Record<string, { fill: string; line: string }>> = {
  tower: { fill: "#dbeafe", line: "#2563eb" },
  fusion: { fill: "#ffedd5", line: "#ea580c" },
  experts: { fill: "#ede9fe", line: "#7c3aed" },
  loss: { fill: "#fee2e2", line: "#dc2626" },
  head: { fill: "#dcfce7", line: "#16a34a" },
  ema: { fill: "#fef9c3", line: "#ca8a04" },
  input: { fill: "#ffffff", line: "#374151" },
  output: { fill: "#ffffff", line: "#374151" },
  op: { fill: "#ffffff", line: "#9ca3af" },
};
const OTHER = { fill: "#f3f4f6", line: "#6b7280" };
const FROZEN = "#cbd5e1";
/** The same colours for the interactive page (page.ts). */
export const COLOURS = { kinds: KIND, other: OTHER, frozen: FROZEN } as const;

export function q(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function colours(kind: string, training: Training): { fill: string; line: string; style: string } {
  const k = KIND[kind] ?? OTHER;
  if (training === "frozen") return { fill: FROZEN, line: k.line, style: "filled,rounded,dashed" };
  if (training === "partly") return { fill: `${k.fill}:${FROZEN}`, line: k.line, style: "filled,rounded" };
  return { fill: k.fill, line: k.line, style: "filled,rounded" };
}

function trainingNote(t: Training): string {
  return t === "frozen" ? " · frozen" : t === "partly" ? " · partly frozen" : "";
}

function unitLine(u: Unit): string {
  if (u.role === "op") return `${q(u.id)} [label=${q(`${u.label}\n${u.sub}`)}, shape=box, style="rounded", color="${KIND.op!.line}", fontsize=9, height=0.3];`;
  if (u.role === "input") return `${q(u.id)} [label=${q(`${u.label}\n${u.sub}`)}, shape=invhouse, style=filled, fillcolor="#f9fafb", color="#374151"];`;
  if (u.role === "output") return `${q(u.id)} [label=${q(`${u.label}\n${u.sub}`)}, shape=house, style=filled, fillcolor="#f9fafb", color="#374151", fontsize=10];`;
  if (u.role === "loss") return `${q(u.id)} [label=${q(`loss ${u.label}`)}, shape=doubleoctagon, style=filled, fillcolor="${KIND.loss!.fill}", color="${KIND.loss!.line}"];`;
  const c = colours(u.kind, u.training);
  const text = `${u.label}\n${u.sub}\n${u.kindText}${u.params ? ` · ${fmtCount(u.params)} params` : ""}${trainingNote(u.training)}${u.inside ? `\ncontains ${u.inside}` : ""}`;
  // A box holding experts or fusion takes their colour for a heavier border.
  const line = u.insideKind ? (KIND[u.insideKind] ?? OTHER).line : c.line;
  return `${q(u.id)} [label=${q(text)}, shape=box, style=${q(c.style)}, fillcolor=${q(c.fill)}, color=${q(line)}, penwidth=${u.insideKind ? 2.6 : 1.6}];`;
}

/** Order of top-level items: half the towers, fusion and experts, the other towers, the rest, losses. */
function orderKeys(d: Diagram): Map<string, number> {
  const top: { id: string; kind: string }[] = [
    ...d.clusters.filter((c) => c.parent === "").map((c) => ({ id: `cluster:${c.path}`, kind: c.kind })),
    ...d.units.filter((u) => u.cluster === "" && u.role === "component").map((u) => ({ id: u.id, kind: u.kind })),
  ];
  const towers = top.filter((t) => t.kind === "tower");
  const firstHalf = new Set(towers.slice(0, Math.ceil(towers.length / 2)).map((t) => t.id));
  const key = (t: { id: string; kind: string }): number =>
    t.kind === "tower" ? (firstHalf.has(t.id) ? 1 : 3) : t.kind === "fusion" || t.kind === "experts" ? 2 : t.kind === "loss" ? 5 : 4;
  return new Map(top.map((t) => [t.id, key(t)]));
}

export function toDot(d: Diagram): string {
  const out: string[] = [
    `digraph ${q(d.model)} {`,
    `  graph [rankdir=BT, fontname="Helvetica", fontsize=16, labelloc=t, newrank=true, nodesep=0.35, ranksep=0.5, compound=true,`,
    `         label=${q(`${d.model} (${d.view}) · data flows upward · grey: frozen`)}];`,
    `  node [fontname="Helvetica", fontsize=11];`,
    `  edge [fontname="Helvetica", fontsize=9, color="#4b5563", fontcolor="#374151", arrowsize=0.7];`,
  ];
  const order = orderKeys(d);
  const kids = new Map<string, Cluster[]>();
  for (const c of d.clusters) kids.set(c.parent, [...(kids.get(c.parent) ?? []), c]);
  const unitsIn = new Map<string, Unit[]>();
  for (const u of d.units) unitsIn.set(u.cluster, [...(unitsIn.get(u.cluster) ?? []), u]);
  let n = 0;
  const emit = (parent: string, indent: string): void => {
    const items: { key: number; seq: number; write: () => void }[] = [];
    let seq = 0;
    for (const c of kids.get(parent) ?? []) {
      items.push({
        key: order.get(`cluster:${c.path}`) ?? 0, seq: seq++, write: () => {
          const col = colours(c.kind, c.training);
          out.push(`${indent}subgraph ${q(`cluster_${n++}`)} {`);
          out.push(`${indent}  label=${q(`${c.label}\n${c.kindText}${trainingNote(c.training)}`)}; style=${q(col.style)}; fillcolor=${q(col.fill)}; color=${q(col.line)}; fontsize=12;`);
          emit(c.path, indent + "  ");
          out.push(`${indent}}`);
        },
      });
    }
    for (const u of unitsIn.get(parent) ?? []) items.push({ key: order.get(u.id) ?? (u.role === "input" ? 0 : 6), seq: seq++, write: () => out.push(indent + unitLine(u)) });
    items.sort((a, b) => a.key - b.key || a.seq - b.seq);
    for (const it of items) it.write();
  };
  emit("", "  ");
  const ids = (pred: (u: Unit) => boolean): string => d.units.filter(pred).map((u) => q(u.id)).join("; ");
  const inputs = ids((u) => u.role === "input");
  if (inputs) out.push(`  { rank=min; ${inputs}; }`);
  const losses = ids((u) => u.role === "loss");
  if (losses) out.push(`  { rank=max; ${losses}; }`);
  const towers = d.units.filter((u) => u.role === "component" && u.kind === "tower" && u.cluster === "");
  const towerIds = new Set(towers.map((t) => t.id));
  if (towers.length > 1 && !d.edges.some((e) => towerIds.has(e.from) && towerIds.has(e.to)))
    out.push(`  { rank=same; ${towers.map((t) => q(t.id)).join("; ")}; }`);
  for (const e of d.edges) {
    const shapes = e.shapes.length > 3 ? [...e.shapes.slice(0, 3), `+${e.shapes.length - 3} more`] : e.shapes;
    out.push(`  ${q(e.from)} -> ${q(e.to)}${shapes.length ? ` [label=${q(shapes.join("\n"))}]` : ""};`);
  }
  out.push("}");
  return out.join("\n") + "\n";
}
