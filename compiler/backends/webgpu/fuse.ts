// Fusion decisions over the specialised graph: which values are computed inside their
// consumer's kernel (inlined map chains), which are views of another tensor's storage
// (reshape and friends: no kernel), and which map chains become a kernel's epilogue
// (bias, activation and residual adds after a matmul).
import { WebGpuError, type CGraph, type CNode } from "./graph.js";
import { MAP_OPS, KERNEL_GENS, takesEpilogue } from "./kernels/registry.js";

export interface Fusion {
  readonly producer: ReadonlyMap<number, { node: CNode; index: number; position: number }>;
  /** Values computed where they are used, never stored. */
  readonly inlined: Set<number>;
  /** View → the tensor whose storage it is. */
  readonly alias: ReadonlyMap<number, number>;
  /** Kernel node position → the map chain root its kernel stores (instead of its output). */
  readonly epilogue: ReadonlyMap<number, number>;
  /** Values computed inside a kernel's epilogue (never un-inlined). */
  readonly chain: ReadonlySet<number>;
}

const VIEWS = new Set(["reshape", "flatten", "squeeze", "unsqueeze", "identity", "stop_gradient", "dropout"]);

export function fuse(g: CGraph): Fusion {
  const producer = new Map<number, { node: CNode; index: number; position: number }>();
  const uses = new Map<number, number>();
  const consumers = new Map<number, number[]>();
  g.nodes.forEach((n, position) => {
    if (!MAP_OPS[n.op] && !KERNEL_GENS[n.op]) throw new WebGpuError(`the webgpu target has no kernel for op '${n.op}' yet (${n.label})`);
    n.outputs.forEach((o, index) => producer.set(o, { node: n, index, position }));
    for (const i of n.inputs) {
      if (i === null) continue;
      uses.set(i, (uses.get(i) ?? 0) + 1);
      const list = consumers.get(i);
      if (list) list.push(position);
      else consumers.set(i, [position]);
    }
  });
  const outputs = new Set(g.outputs.map((o) => o.tensor));
  for (const o of outputs) uses.set(o, (uses.get(o) ?? 0) + 1);

  const inlined = new Set<number>();
  for (const [v, p] of producer) {
    if (!MAP_OPS[p.node.op] || uses.get(v) !== 1 || outputs.has(v)) continue;
    const c = g.nodes[consumers.get(v)![0]!]!;
    const op = MAP_OPS[c.op];
    if (op && op.inlinesInputs !== false) inlined.add(v);
  }

  // Epilogues: a kernel's single-use output read elementwise by a map chain of its shape.
  const epilogue = new Map<number, number>();
  const chain = new Set<number>();
  const claimed = new Set<number>();
  /** Kernel position → the values its epilogue computes in registers, in order. */
  const absorbedBy = new Map<number, number[]>();
  g.nodes.forEach((n, position) => {
    if (!takesEpilogue(n, g) || n.outputs.length !== 1) return;
    const o = n.outputs[0]!;
    const shape = g.tensors.get(o)!.shape.join(",");
    const absorbed: number[] = [];
    let cur = o;
    while (uses.get(cur) === 1 && !outputs.has(cur)) {
      const c = g.nodes[consumers.get(cur)![0]!]!;
      if (!MAP_OPS[c.op]?.elementwise || c.outputs.length !== 1 || g.tensors.get(c.outputs[0]!)!.shape.join(",") !== shape) break;
      // A chain another kernel already ends in (SwiGLU's product of two linears) stays its.
      if (claimed.has(c.outputs[0]!) || chain.has(c.outputs[0]!)) break;
      absorbed.push(cur);
      cur = c.outputs[0]!;
      if (!inlined.has(cur)) break;
    }
    if (!absorbed.length) return;
    // The chain's last value is stored by the kernel; the ones before live in registers.
    inlined.delete(cur);
    for (const v of absorbed) {
      inlined.add(v);
      chain.add(v);
    }
    epilogue.set(position, cur);
    absorbedBy.set(position, absorbed);
    claimed.add(cur);
  });
  // Views of stored tensors cost nothing: the view shares the storage.
  const alias = new Map<number, number>();
  const base = (t: number): number => alias.get(t) ?? t;
  for (const [v, p] of [...producer].sort((a, b) => a[1].position - b[1].position)) {
    if (!VIEWS.has(p.node.op) || inlined.has(v)) continue;
    const src = p.node.inputs[0]!;
    const kind = g.tensors.get(base(src))!.kind;
    if (inlined.has(src) || kind === "param" || kind === "const") continue;
    alias.set(v, base(src));
  }

  const f = { producer, inlined, alias, epilogue, chain };
  limitBindings(g, f, { epilogue, chain, absorbedBy });
  return f;
}

/** WebGPU's default limit of storage buffers per kernel. */
export const MAX_BINDINGS = 8;

/** The stored tensors a value reads when computed in place (its inlined tree's leaves). */
function leaves(g: CGraph, f: Fusion, v: number, skip: number, acc: Set<number>): Set<number> {
  if (v === skip) return acc;
  if (!f.inlined.has(v)) {
    const t = g.tensors.get(v)!;
    if (!(t.kind === "const" && t.data!.length === 1)) acc.add(v);
    return acc;
  }
  for (const i of f.producer.get(v)!.node.inputs) if (i !== null) leaves(g, f, i, skip, acc);
  return acc;
}

interface Epilogues {
  readonly epilogue: Map<number, number>;
  readonly chain: Set<number>;
  readonly absorbedBy: Map<number, number[]>;
}

/**
 * Un-inlines the largest inlined input trees until every kernel fits the binding limit.
 * An epilogue chain whose own side inputs pass the limit (a top-k mixture sums eight
 * experts' outputs after the first expert's matmul) is cut short instead: the kernel stores
 * an earlier value of the chain, and the rest runs as a map kernel of its own.
 */
function limitBindings(g: CGraph, f: Fusion, ep: Epilogues): void {
  const roots: { root: number; skip: number; budget: number; kernel?: number }[] = [];
  for (const [v, p] of f.producer) {
    if (MAP_OPS[p.node.op] && !f.inlined.has(v) && !f.alias.has(v)) roots.push({ root: v, skip: -1, budget: MAX_BINDINGS - 1 });
  }
  for (const [pos, root] of ep.epilogue) {
    const n = g.nodes[pos]!;
    const own = 1 + n.inputs.filter((i) => i !== null).length;
    const r = roots.find((x) => x.root === root);
    if (r) Object.assign(r, { skip: n.outputs[0]!, budget: MAX_BINDINGS - own, kernel: pos });
  }
  for (let k = 0; k < roots.length; k++) {
    const r = roots[k]!;
    for (;;) {
      const used = new Set<number>();
      for (const i of f.producer.get(r.root)!.node.inputs) if (i !== null) leaves(g, f, i, r.skip, used);
      if (used.size <= r.budget) break;
      const cands = collectInlined(f, r.root, r.skip).filter((v) => !ep.chain.has(v));
      if (cands.length) {
        const worst = cands.reduce((a, b) => (leaves(g, f, b, r.skip, new Set()).size > leaves(g, f, a, r.skip, new Set()).size ? b : a));
        f.inlined.delete(worst);
        roots.push({ root: worst, skip: -1, budget: MAX_BINDINGS - 1 });
        continue;
      }
      if (r.kernel === undefined) break;
      // Cut the chain's last step: its value before is stored, and the step is a map root.
      const absorbed = ep.absorbedBy.get(r.kernel)!;
      const last = absorbed.pop()!;
      f.inlined.delete(last);
      ep.chain.delete(last);
      roots.push({ root: r.root, skip: -1, budget: MAX_BINDINGS - 1 });
      if (!absorbed.length) {
        ep.epilogue.delete(r.kernel);
        break;
      }
      ep.epilogue.set(r.kernel, last);
      r.root = last;
    }
  }
}

/** The inlined values directly under a root (its inputs that are computed in place). */
function collectInlined(f: Fusion, root: number, skip: number): number[] {
  const out: number[] = [];
  const walk = (v: number): void => {
    for (const i of f.producer.get(v)!.node.inputs) {
      if (i === null || i === skip || !f.inlined.has(i)) continue;
      out.push(i);
      walk(i);
    }
  };
  walk(root);
  return out;
}
