// The architecture diagram as data: units (components or ops), the clusters that hold
// them, and the edges between them with the shapes that cross component boundaries.
// Built from the elaborated model (hierarchy, kinds, frozen parameters) and the traced
// graph (which value flows from which scope to which). Layout is dot.ts's business.
import type { Graph } from "../../check/graph.js";
import { formatTensorType } from "../../base/tensor.js";
import { allParams, type ElaboratedModel, type Instance } from "../../elaborate/instance.js";
import { isTrainable } from "../../elaborate/stages.js";
import { paramCount } from "../params.js";

export type Level = "model" | "block" | "op";
export const LEVELS: readonly Level[] = ["model", "block", "op"];

/** Whether a component's parameters are trained: all, some, none, or it has none. */
export type Training = "trained" | "partly" | "frozen" | "ema" | "none";

export interface Unit {
  readonly id: string;
  /** Instance path (a component) or `op:N` (an op). */
  readonly label: string;
  readonly sub: string;
  readonly kind: string;
  readonly params: number;
  readonly training: Training;
  /** The cluster holding it (an instance path), or "" for the top. */
  readonly cluster: string;
  readonly role: "component" | "op" | "input" | "output" | "loss";
}

export interface Cluster {
  readonly path: string;
  readonly parent: string;
  readonly label: string;
  readonly kind: string;
  readonly training: Training;
}

export interface Edge {
  readonly from: string;
  readonly to: string;
  /** Shapes crossing the edge when it crosses a component boundary; empty inside one. */
  readonly shapes: readonly string[];
}

export interface Diagram {
  readonly model: string;
  readonly level: Level;
  readonly units: readonly Unit[];
  readonly clusters: readonly Cluster[];
  readonly edges: readonly Edge[];
}

interface Tree {
  readonly byPath: Map<string, Instance>;
  readonly parent: Map<string, string>;
  readonly depth: Map<string, number>;
}

function indexTree(root: Instance): Tree {
  const t: Tree = { byPath: new Map(), parent: new Map(), depth: new Map() };
  const walk = (i: Instance, d: number, parent: string): void => {
    t.byPath.set(i.path, i);
    t.depth.set(i.path, d);
    t.parent.set(i.path, parent);
    for (const c of i.children.values()) walk(c, d + 1, i.path);
  };
  walk(root, 0, "");
  return t;
}

/** Instance `path`, or its nearest recorded ancestor when a scope has no instance of its own. */
function instanceOf(t: Tree, scope: string): string {
  let s = scope;
  while (s && !t.byPath.has(s)) s = s.includes(".") ? s.slice(0, s.lastIndexOf(".")) : "";
  return s;
}

/** The ancestor of `path` at `depth` (or `path` itself when it is shallower). */
function ancestorAt(t: Tree, path: string, depth: number): string {
  let p = path;
  while ((t.depth.get(p) ?? 0) > depth) p = t.parent.get(p) ?? "";
  return p;
}

export function fmtCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

function trainingOf(model: ElaboratedModel, inst: Instance): Training {
  if (inst.ema) return "ema";
  const ps = allParams(inst).filter((p) => !p.ema);
  if (ps.length === 0) return allParams(inst).length ? "ema" : "none";
  const t = ps.filter((p) => isTrainable(model, p)).length;
  return t === ps.length ? "trained" : t === 0 ? "frozen" : "partly";
}

function kindOf(inst: Instance): string {
  return inst.ema ? "ema" : inst.kind;
}

export function buildDiagram(model: ElaboratedModel, graph: Graph, level: Level): Diagram {
  const tree = indexTree(model.root);
  const units = new Map<string, Unit>();
  const clusters = new Map<string, Cluster>();
  const componentDepth = level === "model" ? 1 : 2;
  const clusterDepth = level === "model" ? 0 : level === "block" ? 1 : 2;
  const component = (path: string): Unit => {
    const inst = tree.byPath.get(path)!;
    const params = allParams(inst).filter((p) => !p.ema).reduce((a, p) => a + paramCount(p), 0);
    const cluster = ancestorAt(tree, tree.parent.get(path) ?? "", clusterDepth);
    return { id: `c:${path}`, label: inst.name, sub: inst.declName, kind: kindOf(inst), params, training: trainingOf(model, inst), cluster, role: "component" };
  };
  const addCluster = (path: string): void => {
    for (let p = path; p && !clusters.has(p); p = ancestorAt(tree, tree.parent.get(p) ?? "", clusterDepth)) {
      const inst = tree.byPath.get(p)!;
      clusters.set(p, { path: p, parent: ancestorAt(tree, tree.parent.get(p) ?? "", clusterDepth), label: `${inst.name}: ${inst.declName}`, kind: kindOf(inst), training: trainingOf(model, inst) });
    }
  };

  // Each node's unit: a component id, an op id, or undefined for glue (ops in a forward
  // above the diagram's level, which edges pass through).
  const unitOfNode = new Map<number, string | undefined>();
  for (const n of graph.nodes) {
    const scope = instanceOf(tree, n.scope);
    const d = tree.depth.get(scope) ?? 0;
    let id: string | undefined;
    if (level === "op") {
      id = `n:${n.id}`;
      const out = n.outputs[0];
      const shape = out === undefined ? "" : formatTensorType(graph.values[out]!.type);
      const cluster = ancestorAt(tree, scope, clusterDepth);
      units.set(id, { id, label: n.op, sub: shape, kind: "op", params: 0, training: "none", cluster, role: "op" });
      if (cluster) addCluster(cluster);
    } else if (d >= componentDepth || (d >= 1 && tree.byPath.get(scope)!.children.size === 0)) {
      const path = ancestorAt(tree, scope, componentDepth);
      id = `c:${path}`;
      if (!units.has(id)) units.set(id, component(path));
      const c = units.get(id)!.cluster;
      if (c) addCluster(c);
    }
    unitOfNode.set(n.id, id);
  }
  for (const i of graph.inputs) {
    const v = graph.values[i.value]!;
    units.set(`i:${i.name}`, { id: `i:${i.name}`, label: i.name, sub: formatTensorType(v.type), kind: "input", params: 0, training: "none", cluster: "", role: "input" });
  }

  // Where a value comes from, seen from the diagram: units (through glue) and inputs.
  const inputByValue = new Map(graph.inputs.map((i) => [i.value, `i:${i.name}`]));
  const memo = new Map<number, { unit: string; value: number }[]>();
  const sources = (value: number, seen: Set<number>): { unit: string; value: number }[] => {
    const hit = memo.get(value);
    if (hit) return hit;
    const v = graph.values[value]!;
    let out: { unit: string; value: number }[] = [];
    if (v.source.kind === "input") {
      const id = inputByValue.get(value);
      if (id) out = [{ unit: id, value }];
    } else if (v.source.kind === "node" && !seen.has(value)) {
      const node = graph.nodes[v.source.node]!;
      const u = unitOfNode.get(node.id);
      if (u) out = [{ unit: u, value }];
      else {
        seen.add(value);
        for (const inp of node.inputs) if (inp !== null) out.push(...sources(inp, seen));
      }
    }
    memo.set(value, out);
    return out;
  };

  const edges = new Map<string, { from: string; to: string; shapes: Set<string> }>();
  const boundary = (a: string, b: string): boolean => level !== "op" || units.get(a)?.cluster !== units.get(b)?.cluster || a.startsWith("i:") || b.startsWith("o:");
  const connect = (from: string, to: string, value: number): void => {
    if (from === to) return;
    const key = `${from}->${to}`;
    const e = edges.get(key) ?? { from, to, shapes: new Set<string>() };
    if (boundary(from, to)) e.shapes.add(formatTensorType(graph.values[value]!.type).replace(/^\[\]/, "scalar"));
    edges.set(key, e);
  };
  for (const n of graph.nodes) {
    const to = unitOfNode.get(n.id);
    if (!to) continue;
    for (const inp of n.inputs) if (inp !== null) for (const s of sources(inp, new Set())) connect(s.unit, to, s.value);
  }
  const terminals: [readonly { name: string; value: number }[], "output" | "loss"][] = [[graph.outputs, "output"], [graph.losses, "loss"]];
  for (const [list, role] of terminals) {
    for (const o of list) {
      const id = `o:${role}:${o.name}`;
      units.set(id, { id, label: o.name, sub: role === "loss" ? "loss" : formatTensorType(graph.values[o.value]!.type), kind: role, params: 0, training: "none", cluster: "", role });
      for (const s of sources(o.value, new Set())) connect(s.unit, id, s.value);
    }
  }
  return {
    model: model.name, level, units: [...units.values()], clusters: [...clusters.values()],
    edges: [...edges.values()].map((e) => ({ from: e.from, to: e.to, shapes: [...e.shapes] })),
  };
}
