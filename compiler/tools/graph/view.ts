// Which components a diagram opens. An open component is drawn as a cluster around its
// children; a closed one as a box that owns every op below it. Ops of an open component's
// own forward are glue (edges pass through them) unless the component is opened down to
// ops. `--level model` opens the model (depth 1), `--level block` one level more (depth 2),
// `--depth N` N levels, `--expand PATH[:N|:op]` a component and what is above it, and
// `--level op` everything down to ops (clusters nested at most 2 deep, or --depth deep).
import type { Instance } from "../../elaborate/instance.js";

export type Level = "model" | "block" | "op";
export const LEVELS: readonly Level[] = ["model", "block", "op"];

export interface ViewOptions {
  /** Components open to this depth: 1 is the model level, 2 the block level. */
  readonly depth?: number;
  /** `PATH` opens one level, `PATH:N` N levels, `PATH:op` down to ops; `*` is any one segment. */
  readonly expand?: readonly string[];
}

export interface View {
  /** Drawn as a cluster around its children and ops, not as one box. */
  isOpen(path: string): boolean;
  /** The ops of its own forward are drawn. */
  showsOps(path: string): boolean;
  /** Ops deeper than this sit in their ancestor's cluster at this depth. */
  readonly clusterCap: number;
  /** For the title: `block level`, `depth 3, expanded layers.0`. */
  readonly describe: string;
}

export class ViewError extends Error {}

interface Expansion { readonly pattern: string; readonly levels: number | "op" }

/** `PATH`, `PATH:N` or `PATH:op`. */
export function parseExpand(spec: string): Expansion {
  const m = /^([A-Za-z0-9_.*]+)(?::(op|\d+))?$/.exec(spec);
  if (!m || m[1]!.split(".").some((s) => s === "")) throw new ViewError(`--expand takes PATH, PATH:N or PATH:op (a dotted component path; * for any one name), not '${spec}'`);
  const levels = m[2] === undefined ? 1 : m[2] === "op" ? "op" : Number(m[2]);
  if (levels === 0) throw new ViewError(`--expand ${spec}: open at least one level`);
  return { pattern: m[1]!, levels };
}

function matcher(pattern: string): RegExp {
  const parts = pattern.split(".").map((s) => (s === "*" ? "[^.]+" : s.replace(/[.*]/g, "")));
  return new RegExp(`^${parts.join("\\.")}$`);
}

export function makeView(root: Instance, level: Level, opts: ViewOptions = {}): View {
  const depthOf = new Map<string, number>();
  const all: Instance[] = [];
  const walk = (i: Instance, d: number): void => {
    depthOf.set(i.path, d);
    all.push(i);
    for (const c of i.children.values()) walk(c, d + 1);
  };
  walk(root, 0);
  if (level === "op") {
    const cap = opts.depth ?? 2;
    return { isOpen: () => true, showsOps: () => true, clusterCap: cap, describe: opts.depth === undefined ? "op level" : `op level, depth ${cap}` };
  }
  const depth = opts.depth ?? (level === "model" ? 1 : 2);
  const open = new Set<string>([""]);
  const ops = new Set<string>();
  for (const i of all) if (depthOf.get(i.path)! < depth) open.add(i.path);
  const parent = (p: string): string => (p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "");
  for (const spec of opts.expand ?? []) {
    const e = parseExpand(spec);
    const re = matcher(e.pattern);
    const hits = all.filter((i) => i.path !== "" && re.test(i.path));
    if (!hits.length) throw new ViewError(`--expand ${spec}: no component at '${e.pattern}' (top-level components: ${[...root.children.keys()].join(", ")})`);
    for (const h of hits) {
      for (let p = parent(h.path); p; p = parent(p)) open.add(p);
      const limit = e.levels === "op" ? Infinity : depthOf.get(h.path)! + e.levels;
      const under = all.filter((i) => i.path === h.path || i.path.startsWith(`${h.path}.`));
      for (const i of under) {
        if (depthOf.get(i.path)! < limit) open.add(i.path);
        if (e.levels === "op") ops.add(i.path);
      }
    }
  }
  const base = opts.depth !== undefined ? `depth ${depth}` : `${level} level`;
  const describe = opts.expand?.length ? `${base}, expanded ${opts.expand.join(", ")}` : base;
  return { isOpen: (p) => open.has(p), showsOps: (p) => ops.has(p), clusterCap: Infinity, describe };
}
