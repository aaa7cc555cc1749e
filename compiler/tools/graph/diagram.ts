// The architecture diagram as data: units (components or ops), the clusters that hold
// them, and the edges between them with the shapes that cross component boundaries.
// Built from the elaborated model (hierarchy, kinds, frozen parameters) and the traced
// graph (which value flows from which scope to which), for a view (view.ts: which
// components are open). Layout is dot.ts's business.
import type { Graph } from "../../check/graph.js";
import { formatTensorType } from "../../base/tensor.js";
import { allParams, type ElaboratedModel, type Instance } from "../../elaborate/instance.js";
import { paramCount } from "../params.js";
import { insideOf, kindOf, kindText, trainingOf, type Training } from "./kinds.js";
import { makeView, type Level, type ViewOptions } from "./view.js";

export { LEVELS, type Level, type ViewOptions } from "./view.js";
export type { Training } from "./kinds.js";

export interface Unit {
  readonly id: string;
  /** Instance name (a component) or the op's name. */
  readonly label: string;
  readonly sub: string;
  /** The kind drawn (kinds.ts: a stack of fusion layers is `fusion`). */
  readonly kind: string;
  /** The kind line: `stack of 4 fusion`, `experts`. */
  readonly kindText: string;
  readonly params: number;
  readonly training: Training;
  /** The cluster holding it (an instance path), or "" for the top. */
  readonly cluster: string;
  readonly role: "component" | "op" | "input" | "output" | "loss";
  /** Experts and fusion blocks inside a closed component (`2 experts`), and their kind. */
  readonly inside?: string;
  readonly insideKind?: string;
}

export interface Cluster {
  readonly path: string;
  readonly parent: string;
  readonly label: string;
  readonly kind: string;
  readonly kindText: string;
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
  /** What is drawn, for the title: `block level`, `depth 3, expanded layers.0`. */
  readonly view: string;
  readonly units: readonly Unit[];
  readonly clusters: readonly Cluster[];
  readonly edges: readonly Edge[];
}

export interface Tree {
  readonly byPath: Map<string, Instance>;
  readonly parent: Map<string, string>;
  readonly depth: Map<string, number>;
}

export function indexTree(root: Instance): Tree {
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
export function instanceOf(t: Tree, scope: string): string {
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

export const shapeText = (g: Graph, value: number): string => formatTensorType(g.values[value]!.type).replace(/^\[\]/, "scalar");

/** A glue value's sources as the diagram sees them. */
interface Source { readonly unit: string; readonly value: number }

/**
 * Where a value comes from, seen from the diagram: units (through glue) and inputs. A value
 * computed by glue from one unit alone is that unit's as it flows on (a slice of a
 * component's output carries the slice's shape); glue that combines several units, or
 * reduces to a scalar, keeps each one's own value.
 */
export function sourceFinder(graph: Graph, unitOfNode: ReadonlyMap<number, string | undefined>): (value: number) => Source[] {
  const inputByValue = new Map(graph.inputs.map((i) => [i.value, `i:${i.name}`]));
  const memo = new Map<number, Source[]>();
  const seen = new Set<number>();
  const sources = (value: number): Source[] => {
    const hit = memo.get(value);
    if (hit) return hit;
    if (seen.has(value)) return []; // defensive: a traced graph has no cycles
    const v = graph.values[value]!;
    let out: Source[] = [];
    if (v.source.kind === "input") {
      const id = inputByValue.get(value);
      if (id) out = [{ unit: id, value }];
    } else if (v.source.kind === "node") {
      const node = graph.nodes[v.source.node]!;
      const u = unitOfNode.get(node.id);
      if (u) out = [{ unit: u, value }];
      else {
        seen.add(value);
        const inner = node.inputs.flatMap((inp) => (inp === null ? [] : sources(inp)));
        const units = new Set(inner.map((s) => s.unit));
        // A reduction to a scalar (a loss term) says little on an edge: keep what it reduced.
        const toScalar = v.type.shape.length === 0 && inner.some((s) => graph.values[s.value]!.type.shape.length > 0);
        out = units.size === 1 && !toScalar ? [{ unit: inner[0]!.unit, value }] : inner;
      }
    }
    memo.set(value, out);
    return out;
  };
  return sources;
}

export function buildDiagram(model: ElaboratedModel, graph: Graph, level: Level, opts: ViewOptions = {}): Diagram {
  const tree = indexTree(model.root);
  const view = makeView(model.root, level, opts);
  const units = new Map<string, Unit>();
  const clusters = new Map<string, Cluster>();
  const cap = view.clusterCap;
  const up = (p: string): string => ancestorAt(tree, tree.parent.get(p) ?? "", cap);
  const addCluster = (path: string): void => {
    for (let p = path; p && !clusters.has(p); p = up(p)) {
      const inst = tree.byPath.get(p)!;
      clusters.set(p, { path: p, parent: up(p), label: `${inst.name}: ${inst.declName}`, kind: kindOf(inst), kindText: kindText(inst), training: trainingOf(model, inst) });
    }
  };
  const component = (path: string): Unit => {
    const inst = tree.byPath.get(path)!;
    const params = allParams(inst).filter((p) => !p.ema).reduce((a, p) => a + paramCount(p), 0);
    const inside = insideOf(inst);
    return {
      id: `c:${path}`, label: inst.name, sub: inst.declName, kind: kindOf(inst), kindText: kindText(inst), params, training: trainingOf(model, inst),
      cluster: up(path), role: "component", ...(inside ? { inside: inside.text, insideKind: inside.kind } : {}),
    };
  };
  // A box: closed, or a leaf whose ops are not drawn.
  const isBox = (p: string): boolean => !view.isOpen(p) || (tree.byPath.get(p)!.children.size === 0 && !view.showsOps(p));
  // The unit of a scope: the outermost box on its path, an op, or glue (undefined).
  const byScope = new Map<string, { box?: string; ops: boolean }>();
  const placeOf = (scope: string): { box?: string; ops: boolean } => {
    let hit = byScope.get(scope);
    if (!hit) {
      const chain: string[] = [];
      for (let p = scope; p; p = tree.parent.get(p) ?? "") chain.unshift(p);
      const box = chain.find(isBox);
      hit = box !== undefined ? { box, ops: false } : { ops: view.showsOps(scope) };
      byScope.set(scope, hit);
    }
    return hit;
  };

  const unitOfNode = new Map<number, string | undefined>();
  for (const n of graph.nodes) {
    const scope = instanceOf(tree, n.scope);
    const place = placeOf(scope);
    let id: string | undefined;
    if (place.box !== undefined) {
      id = `c:${place.box}`;
      if (!units.has(id)) units.set(id, component(place.box));
      const c = units.get(id)!.cluster;
      if (c) addCluster(c);
    } else if (place.ops) {
      id = `n:${n.id}`;
      const out = n.outputs[0];
      const cluster = ancestorAt(tree, scope, cap);
      units.set(id, { id, label: n.op, sub: out === undefined ? "" : formatTensorType(graph.values[out]!.type), kind: "op", kindText: "op", params: 0, training: "none", cluster, role: "op" });
      if (cluster) addCluster(cluster);
    }
    unitOfNode.set(n.id, id);
  }
  for (const i of graph.inputs) {
    const v = graph.values[i.value]!;
    units.set(`i:${i.name}`, { id: `i:${i.name}`, label: i.name, sub: formatTensorType(v.type), kind: "input", kindText: "input", params: 0, training: "none", cluster: "", role: "input" });
  }

  const sources = sourceFinder(graph, unitOfNode);
  const edges = new Map<string, { from: string; to: string; shapes: Set<string> }>();
  // Edges between ops of one cluster stay unlabelled: the ops say their shapes.
  const boundary = (a: string, b: string): boolean => !a.startsWith("n:") || !b.startsWith("n:") || units.get(a)?.cluster !== units.get(b)?.cluster;
  const connect = (from: string, to: string, value: number): void => {
    if (from === to) return;
    const key = `${from}->${to}`;
    const e = edges.get(key) ?? { from, to, shapes: new Set<string>() };
    if (boundary(from, to)) e.shapes.add(shapeText(graph, value));
    edges.set(key, e);
  };
  for (const n of graph.nodes) {
    const to = unitOfNode.get(n.id);
    if (!to) continue;
    for (const inp of n.inputs) if (inp !== null) for (const s of sources(inp)) connect(s.unit, to, s.value);
  }
  const terminals: [readonly { name: string; value: number }[], "output" | "loss"][] = [[graph.outputs, "output"], [graph.losses, "loss"]];
  for (const [list, role] of terminals) {
    for (const o of list) {
      const id = `o:${role}:${o.name}`;
      units.set(id, { id, label: o.name, sub: role === "loss" ? "loss" : formatTensorType(graph.values[o.value]!.type), kind: role, kindText: role, params: 0, training: "none", cluster: "", role });
      for (const s of sources(o.value)) connect(s.unit, id, s.value);
    }
  }
  return {
    model: model.name, level, view: view.describe, units: [...units.values()], clusters: [...clusters.values()],
    edges: [...edges.values()].map((e) => ({ from: e.from, to: e.to, shapes: [...e.shapes] })),
  };
}
