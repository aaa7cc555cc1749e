// The dispatch order: one kernel (or a few) per stored value, in the graph's topological
// order. A kernel with a fused epilogue runs where the epilogue's last node was, so every
// tensor the epilogue reads exists by then.
import type { CGraph, CTensor } from "./graph.js";
import type { Fusion } from "./fuse.js";
import type { GemmVariant } from "./kernels/gemm.js";
import type { Epilogue, Kernel, KernelContext } from "./kernels/kernel.js";
import { MapCodegen, mapKernel } from "./kernels/map.js";
import { KERNEL_GENS, MAP_OPS } from "./kernels/registry.js";

export interface ScheduledKernel {
  readonly kernel: Kernel;
  /** For map kernels: the loads (to find in-place candidates) and a regenerator. */
  readonly map?: {
    readonly root: number;
    readonly loads: readonly { tensor: number; index: string }[];
    regen(inPlace: number): Kernel;
  };
}

export function schedule(g: CGraph, f: Fusion, gemm: GemmVariant = "registers"): ScheduledKernel[] {
  const out: ScheduledKernel[] = [];
  const epilogueAt = new Map<number, number>(); // root value → kernel node position
  for (const [pos, root] of f.epilogue) epilogueAt.set(root, pos);
  let temps = 0;
  const ctxFor = (pos: number): KernelContext => {
    const root = f.epilogue.get(pos);
    return {
      g, gemm,
      tensor: (id) => g.tensors.get(id)!,
      temp(shape, dtype, name) {
        const id = -1 - temps++;
        const t: CTensor = { id, name: `${g.nodes[pos]!.label}/${name}`, shape, dtype, kind: "node" };
        g.tensors.set(id, t);
        return id;
      },
      ...(root !== undefined ? { epilogue: epilogueFor(g, f, g.nodes[pos]!.outputs[0]!, root) } : {}),
    };
  };
  g.nodes.forEach((n, pos) => {
    if (KERNEL_GENS[n.op]) {
      if (f.epilogue.has(pos)) return; // emitted at its epilogue's root
      for (const kernel of KERNEL_GENS[n.op]!(n, ctxFor(pos))) out.push({ kernel });
      return;
    }
    n.outputs.forEach((v) => {
      if (f.inlined.has(v) || f.alias.has(v)) return;
      const kpos = epilogueAt.get(v);
      if (kpos !== undefined) {
        const kn = g.nodes[kpos]!;
        for (const kernel of KERNEL_GENS[kn.op]!(kn, ctxFor(kpos))) out.push({ kernel });
        return;
      }
      const gen = (inPlace?: number): Kernel & { loads: readonly { tensor: number; index: string }[] } =>
        mapKernel(g, MAP_OPS, f.producer, f.inlined, v, inPlace);
      const k = gen();
      out.push({ kernel: k, map: { root: v, loads: k.loads, regen: (x) => gen(x) } });
    });
  });
  return out;
}

function epilogueFor(g: CGraph, f: Fusion, source: number, root: number): Epilogue {
  return {
    root,
    emit(acc, coords, flat) {
      const shape = g.tensors.get(root)!.shape;
      const cg = new MapCodegen(g, MAP_OPS, f.producer, f.inlined, { shape, coords, flat }, new Map([[source, acc]]), new Map(), "ep");
      const p = f.producer.get(root)!;
      const value = cg.emitNode(p.node, p.index, coords);
      return { lines: cg.lines, value, loads: [...cg.bindings.keys()], helpers: [...cg.helpers] };
    },
  };
}
