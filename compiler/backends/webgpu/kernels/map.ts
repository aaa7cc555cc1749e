// Map kernels: one thread per output element, its value an expression over the inputs at
// coordinates computed from the output's. Elementwise ops, broadcasting, layout ops
// (permute, slice, concat, pad, gather...) and creation ops are all map ops, so a chain of
// them fuses into one kernel by inlining: a producer used once is emitted at the
// coordinates its consumer asks for instead of being stored and loaded.
import type { GpuDType } from "../../../../runtime/plan.js";
import { gpuType, type CGraph, type CNode, type CTensor } from "../graph.js";
import { declareBindings, entry1d, flatIndex, grid1d, literal, paren, unflatten, type BindingDecl } from "./wgsl.js";
import type { Kernel } from "./kernel.js";
import { HELPERS } from "./map-elementwise.js";

export interface MapEmitter {
  readonly node: CNode;
  /** Which output of the node is being computed. */
  readonly outIndex: number;
  readonly out: CTensor;
  readonly outType: GpuDType;
  /** The output coordinates (i32 expressions). */
  readonly coords: readonly string[];
  inputTensor(k: number): CTensor | undefined;
  outputTensor(k: number): CTensor;
  /** The value of input k at coords (emitting what it needs), converted to `as`. */
  input(k: number, coords: readonly string[], as?: GpuDType): string;
  /** Coordinates of input k under numpy broadcasting against the output. */
  bcast(k: number): string[];
  line(s: string): void;
  fresh(prefix: string): string;
  /** Runs fn with lines collected apart (for branches); returns them and fn's value. */
  block(fn: () => string): { lines: string[]; value: string };
  attrNum(name: string): number;
  /** Includes a helper function (HELPERS in map-elementwise.ts) in the kernel. */
  helper(name: string): void;
}

export interface MapOp {
  /** false: the op reads an input at several coordinates per output element (so its
   *  producers are materialised, not recomputed). Default true. */
  readonly inlinesInputs?: boolean;
  /** true: the output element at flat index i reads each input only at flat index i (same
   *  shape): the kernel may write its output over an input that dies here. */
  readonly elementwise?: boolean;
  emit(e: MapEmitter): string;
}

export type MapOps = Readonly<Record<string, MapOp>>;

/** Builds the body of a map kernel (or a matmul epilogue) over a graph. */
export class MapCodegen {
  readonly lines: string[] = [];
  /** Buffers loaded: tensor id → binding variable. */
  readonly bindings = new Map<number, string>();
  /** Every load: tensor and index expression (in-place needs identity loads only). */
  readonly loads: { tensor: number; index: string }[] = [];
  /** Helper functions the body calls. */
  readonly helpers = new Set<string>();
  private n = 0;
  private sink: string[] = this.lines;

  constructor(
    private readonly g: CGraph,
    private readonly ops: MapOps,
    private readonly producer: ReadonlyMap<number, { node: CNode; index: number }>,
    /** Values computed inside this kernel rather than loaded. */
    private readonly inlined: ReadonlySet<number>,
    /** The output coordinates and flat index variable (loads at them index by `flat`). */
    private readonly root: { readonly shape: readonly number[]; readonly coords: readonly string[]; readonly flat: string },
    /** Values given as expressions (a matmul epilogue's accumulator), valid at root coords. */
    private readonly subst: ReadonlyMap<number, string> = new Map(),
    /** Tensor ids read through another binding's name (in-place: the output's). */
    private readonly rename: ReadonlyMap<number, string> = new Map(),
    /** Binding variable names are prefix0, prefix1, ... */
    private readonly prefix = "in",
  ) {}

  fresh(prefix: string): string {
    return `${prefix}${this.n++}`;
  }

  line(s: string): void {
    this.sink.push(s);
  }

  /** The value of tensor id at coords, as an expression of its GPU type. */
  value(id: number, coords: readonly string[]): string {
    const t = this.g.tensors.get(id)!;
    const s = this.subst.get(id);
    if (s !== undefined) return s;
    if (t.kind === "const" && t.data!.length === 1) return literal(t.data![0]!, gpuType(t.dtype));
    const p = this.producer.get(id);
    if (p && this.inlined.has(id)) return this.emitNode(p.node, p.index, coords);
    return this.load(t, coords);
  }

  private load(t: CTensor, coords: readonly string[]): string {
    let name = this.rename.get(t.id) ?? this.bindings.get(t.id);
    if (name === undefined) {
      name = `${this.prefix}${this.bindings.size}`;
      this.bindings.set(t.id, name);
    }
    const same = t.shape.length === this.root.shape.length && t.shape.every((d, k) => d === this.root.shape[k]) && coords.every((c, k) => c === this.root.coords[k]);
    const index = same ? this.root.flat : flatIndex(coords, t.shape);
    this.loads.push({ tensor: t.id, index: same ? "<flat>" : index });
    const v = this.fresh("v");
    this.line(`let ${v} = ${name}[${index}];`);
    return v;
  }

  emitNode(node: CNode, outIndex: number, coords: readonly string[]): string {
    const op = this.ops[node.op];
    if (!op) throw new Error(`no map op ${node.op}`);
    const out = this.g.tensors.get(node.outputs[outIndex]!)!;
    const cg = this;
    const e: MapEmitter = {
      node, outIndex, out, outType: gpuType(out.dtype), coords,
      inputTensor: (k) => (node.inputs[k] == null ? undefined : this.g.tensors.get(node.inputs[k]!)),
      outputTensor: (k) => this.g.tensors.get(node.outputs[k]!)!,
      input(k, at, as) {
        const id = node.inputs[k];
        if (id == null) throw new Error(`${node.op}: input ${k} is absent`);
        const t = cg.g.tensors.get(id)!;
        const v = cg.value(id, at);
        const from = gpuType(t.dtype);
        return as === undefined || as === from ? v : `${as}(${v})`;
      },
      bcast(k) {
        const t = this.inputTensor(k)!;
        const off = coords.length - t.shape.length;
        return t.shape.map((d, j) => (d === 1 ? "0" : coords[off + j]!));
      },
      line: (s) => this.line(s),
      fresh: (p) => this.fresh(p),
      block: (fn) => {
        const saved = this.sink;
        const lines: string[] = [];
        this.sink = lines;
        try {
          return { value: fn(), lines };
        } finally {
          this.sink = saved;
        }
      },
      helper: (name) => void this.helpers.add(name),
      attrNum(name) {
        const v = node.attrs[name];
        if (typeof v !== "number") throw new Error(`${node.op}: attribute ${name} is not a number`);
        return v;
      },
    };
    const expr = op.emit(e);
    if (/^[\w.]+$/.test(expr) || /^\(?-?[\d.]+[fiu]?\)?$/.test(expr)) return expr;
    const v = this.fresh("t");
    this.line(`let ${v} = ${expr};`);
    return v;
  }
}

/** A kernel computing one value: its producer node (and the inlined values it reads) at
 *  every element. `inPlace`: an input tensor whose storage the output reuses. */
export function mapKernel(g: CGraph, ops: MapOps, producer: ReadonlyMap<number, { node: CNode; index: number }>,
  inlined: ReadonlySet<number>, root: number, inPlace?: number): Kernel & { readonly loads: readonly { tensor: number; index: string }[] } {
  const out = g.tensors.get(root)!;
  const n = out.shape.reduce((a, b) => a * b, 1);
  const { lines: coordLines, coords } = unflatten("i", out.shape, "c");
  const cg = new MapCodegen(g, ops, producer, inlined, { shape: out.shape, coords, flat: "i" }, new Map(), inPlace === undefined ? new Map() : new Map([[inPlace, "out"]]));
  const p = producer.get(root)!;
  const v = cg.emitNode(p.node, p.index, coords);
  const grid = grid1d(n);
  const inputs = [...cg.bindings];
  const decls: BindingDecl[] = [
    { name: "out", type: gpuType(out.dtype), access: "read_write" },
    ...inputs.map(([id, name]) => ({ name, type: gpuType(g.tensors.get(id)!.dtype), access: "read" as const })),
  ];
  const body = [...grid.prologue, ...coordLines, ...cg.lines, `out[i] = ${paren(v)};`];
  const wgsl = `${declareBindings(decls)}\n${helperSource(cg.helpers)}\n${entry1d()}\n${body.map((l) => `  ${l}`).join("\n")}\n}\n`;
  return {
    name: `map_${p.node.op}`, wgsl, workgroupSize: [256, 1, 1], workgroups: grid.workgroups,
    bindings: [{ tensor: root, access: "read_write" }, ...inputs.map(([id]) => ({ tensor: id, access: "read" as const }))],
    label: p.node.label, loads: cg.loads,
  };
}

/** The WGSL of helper functions, in a stable order. */
export function helperSource(names: ReadonlySet<string>): string {
  return [...names].sort().map((n) => `${HELPERS[n]}\n`).join("");
}
