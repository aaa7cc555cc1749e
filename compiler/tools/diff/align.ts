// Aligns two instance trees for `mm diff`: children with the same name pair up by
// declaration path; of the rest, a child of the same kind and block under another name, with
// a shared start of the name or the same parameter count, is a rename (the most similar
// first: shared descendant declarations, parameter count, name prefix); everything else is
// removed or added. Each pair records how it was made.
import type { ElaboratedModel, Instance, ParamTensor } from "../../elaborate/instance.js";
import { formatShape } from "../../base/tensor.js";
import { paramCount } from "../params.js";

/** A component: an instance, or a parameter tensor held directly by one. */
export interface Node {
  readonly name: string;
  readonly path: string;
  readonly kind: string;
  readonly block: string;
  readonly params: number;
  readonly inst?: Instance;
  readonly param?: ParamTensor;
  readonly children: readonly Node[];
}

export type MatchHow = "path" | "declaration";

export interface Pair {
  readonly a?: Node;
  readonly b?: Node;
  readonly how?: MatchHow;
  readonly children: readonly Pair[];
}

export function nodeOf(inst: Instance): Node {
  const params = inst.params.filter((p) => !p.ema && !p.buffer).map((p): Node => ({
    name: p.name, path: p.path, kind: "param", block: formatShape(p.shape), params: paramCount(p), param: p, children: [],
  }));
  const kids = [...inst.children.values()].map(nodeOf);
  const children = [...kids, ...params];
  const own = params.reduce((s, p) => s + p.params, 0);
  return {
    name: inst.name, path: inst.path, kind: inst.ema ? "ema" : inst.kind, block: inst.declName,
    params: own + kids.reduce((s, k) => s + k.params, 0), inst, children,
  };
}

export function modelNode(m: ElaboratedModel): Node {
  return { ...nodeOf(m.root), name: m.name };
}

const signatures = new WeakMap<Node, Set<string>>();
function signature(n: Node): Set<string> {
  let s = signatures.get(n);
  if (s) return s;
  s = new Set();
  const walk = (x: Node): void => {
    if (x !== n) s!.add(x.kind === "param" ? `param:${x.name}` : `${x.kind}:${x.block}`);
    for (const c of x.children) walk(c);
  };
  walk(n);
  signatures.set(n, s);
  return s;
}

/** Similarity of two components of the same kind: shared descendant declarations
 *  (Jaccard) and the ratio of parameter counts, each weighing half. */
export function similarity(a: Node, b: Node): number {
  const sa = signature(a);
  const sb = signature(b);
  let shared = 0;
  for (const x of sa) if (sb.has(x)) shared++;
  const union = sa.size + sb.size - shared;
  const jac = union === 0 ? 1 : shared / union;
  const hi = Math.max(a.params, b.params);
  const ratio = hi === 0 ? 1 : Math.min(a.params, b.params) / hi;
  if (a.kind === "param") return a.block === b.block ? 1 : 0.5 * ratio;
  return 0.5 * jac + 0.5 * ratio;
}

/** Shared leading characters of two names, relative to the longer: a tie-breaker. */
function prefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i / Math.max(a.length, b.length, 1);
}

export function align(a: Node | undefined, b: Node | undefined, how?: MatchHow): Pair {
  if (!a || !b) return { a, b, children: [...(a ?? b)!.children].map((c) => (a ? align(c, undefined) : align(undefined, c))) };
  const bByName = new Map(b.children.map((c) => [c.name, c]));
  const matched = new Map<Node, Pair>();
  const usedB = new Set<Node>();
  for (const ca of a.children) {
    const cb = bByName.get(ca.name);
    if (cb && (cb.kind === "param") === (ca.kind === "param")) {
      matched.set(ca, align(ca, cb, "path"));
      usedB.add(cb);
    }
  }
  // A rename: the same kind of the same block under another name. Anything else unpaired
  // is removed and added; a similar shape is no evidence that two parts are one.
  const restB = b.children.filter((c) => !usedB.has(c));
  const candidates: { ca: Node; cb: Node; score: number }[] = [];
  for (const ca of a.children) {
    if (matched.has(ca) || ca.kind === "param") continue;
    for (const cb of restB) {
      if (cb.kind !== ca.kind || cb.block !== ca.block) continue;
      // A common block (two Linears) is a rename only with some evidence: a shared start of
      // the name, or the same parameter count.
      if (prefix(ca.name, cb.name) < 1 / 3 && ca.params !== cb.params) continue;
      candidates.push({ ca, cb, score: similarity(ca, cb) + 0.2 * prefix(ca.name, cb.name) });
    }
  }
  candidates.sort((x, y) => y.score - x.score);
  for (const c of candidates) {
    if (matched.has(c.ca) || usedB.has(c.cb)) continue;
    matched.set(c.ca, align(c.ca, c.cb, "declaration"));
    usedB.add(c.cb);
  }
  const children: Pair[] = [];
  for (const ca of a.children) children.push(matched.get(ca) ?? align(ca, undefined));
  for (const cb of b.children) if (!usedB.has(cb)) children.push(align(undefined, cb));
  return { a, b, ...(how ? { how } : {}), children };
}
