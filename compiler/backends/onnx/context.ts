// The emitter context: fresh names, constant initializers (shared by content), NodeProtos
// with a type for every value they make (value_info), and the bracket around one IR
// node's lowering that names its ONNX nodes and binds its results to the IR value names.
//
// A lowering's nodes and types stay here until its end (which may rename its results),
// then go to the sink, in order: emit.ts's sinks either keep them as objects (local
// functions need the graph's nodes) or encode them at once (wire.ts), so that a model's
// nodes are never all alive as objects.
import type { Dim } from "../../base/dims.js";
import type { DType, TensorType } from "../../base/tensor.js";
import { Dim as D } from "../../base/dims.js";
import { attributes, tensorProto, type Attr, type NodeProto, type TensorProto } from "./proto.js";

/** A tensor during lowering: its ONNX name and type. */
export interface V {
  readonly name: string;
  readonly type: TensorType;
}

/** An internal error in lowering (a compiler bug, or an op form the backend lacks). */
export class LoweringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LoweringError";
  }
}

interface Current {
  readonly base: string;
  readonly doc: string;
  k: number;
  /** Values this lowering's nodes made (a handful: a list is cheaper than a set). */
  readonly temps: string[];
}

/** Where finished nodes go, and the type of every value a node makes (value_info), in
 *  creation order. */
export interface EmitSink {
  node(n: NodeProto): void;
  type(name: string, t: TensorType): void;
}

export class EmitContext {
  readonly initializers: TensorProto[] = [];
  /** Temps cached across lowerings (runtime dims): never renamed into an IR value. */
  readonly shared = new Set<string>();
  /** Nodes handed to the sink. */
  nodeCount = 0;
  /** Initializers some node reads. */
  readonly read = new Set<string>();
  private readonly used = new Set<string>();
  private readonly consts = new Map<string, V>();
  private readonly initNames = new Set<string>();
  private cur: Current | undefined;
  private loose = 0;
  /** The nodes and types of the lowering under way (or made outside any). */
  private pending: NodeProto[] = [];
  /** Names and types made by the pending nodes, in order (a handful: arrays, not a map;
   *  a renamed temp's entry becomes null). */
  private pendingNames: (string | null)[] = [];
  private pendingTypes: TensorType[] = [];

  constructor(readonly opset: number, private readonly sink: EmitSink) {}

  /** Hands the pending nodes and types to the sink. */
  flush(): void {
    for (const n of this.pending) {
      for (const x of n.input!) if (this.initNames.has(x)) this.read.add(x);
      this.sink.node(n);
    }
    this.nodeCount += this.pending.length;
    this.pending = [];
    const names = this.pendingNames, types = this.pendingTypes;
    for (let i = 0; i < names.length; i++) if (names[i] !== null) this.sink.type(names[i]!, types[i]!);
    if (names.length) {
      this.pendingNames = [];
      this.pendingTypes = [];
    }
  }

  /** Claims a name the IR chose (inputs, parameters, node outputs). */
  // One set operation per name: an add that does not grow the set found it taken (a
  // lookup and then an add probed the table twice for every name).
  reserve(name: string): void {
    const before = this.used.size;
    if (this.used.add(name).size === before) throw new LoweringError(`name '${name}' is used twice`);
  }

  fresh(want: string): string {
    let name = want;
    for (let k = 2, before = this.used.size; this.used.add(name).size === before; k++) name = `${want}_${k}`;
    return name;
  }

  /** Starts lowering one IR node: `base` names its ONNX nodes, `doc` is their doc_string. */
  begin(base: string, doc: string): void {
    this.flush();
    this.cur = { base, doc, k: 0, temps: [] };
  }

  /** Ends the lowering: each result takes its IR value's name (a temp of this lowering is
   *  renamed; anything else is copied with Identity). A lone node takes the base name. */
  end(results: readonly V[], targets: readonly V[]): void {
    const cur = this.cur;
    if (!cur) throw new LoweringError("end() without begin()");
    if (results.length !== targets.length) throw new LoweringError(`${cur.base}: lowering made ${results.length} results for ${targets.length} outputs`);
    let moved: Map<string, string> | undefined;
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!, t = targets[i]!;
      if (!sameType(r.type, t.type)) throw new LoweringError(`${cur.base}: result ${i} is ${show(r.type)}, the IR says ${show(t.type)}`);
      if (r.name === t.name) continue;
      const temp = cur.temps.indexOf(r.name);
      if (temp >= 0 && !this.shared.has(r.name)) {
        this.rename(r.name, t.name);
        cur.temps.splice(temp, 1);
        (moved ??= new Map()).set(r.name, t.name);
      } else {
        this.emitNode("Identity", `${cur.base}/Identity_${cur.k++}`, [moved?.get(r.name) ?? r.name], [t.name], {});
      }
      this.pendingNames.push(t.name);
      this.pendingTypes.push(t.type);
    }
    if (this.pending.length === 1) this.pending[0]!.name = cur.base;
    this.cur = undefined;
    this.flush();
  }

  /** Renames a temp of the lowering under way (only its nodes can read it). */
  private rename(old: string, name: string): void {
    for (const n of this.pending) {
      n.input = n.input!.map((x) => (x === old ? name : x));
      n.output = n.output!.map((x) => (x === old ? name : x));
    }
    const k = this.pendingNames.indexOf(old);
    if (k >= 0) this.pendingNames[k] = null;
  }

  /** Node names live apart from value names (`base/Type_k` within a lowering), though a
   *  single output's temp name is the same string. Takes its arrays. */
  private emitNode(type: string, name: string, inputs: string[], outputs: string[], attrs: Readonly<Record<string, Attr>>, domain = ""): void {
    const node: NodeProto = { input: inputs, output: outputs, name, opType: type, attribute: attributes(attrs) };
    if (domain) node.domain = domain;
    const doc = this.cur?.doc;
    if (doc) node.docString = doc;
    this.pending.push(node);
  }

  /** Emits one ONNX node with a single output of the given type. Absent optional inputs
   *  are null (an empty name, as ONNX writes them). */
  op(type: string, inputs: readonly (V | null)[], out: TensorType, attrs: Readonly<Record<string, Attr>> = {}): V {
    return this.opN(type, inputs, [out], attrs)[0]!;
  }

  opN(type: string, inputs: readonly (V | null)[], outs: readonly TensorType[], attrs: Readonly<Record<string, Attr>> = {}): V[] {
    const cur = this.cur;
    const base = cur ? `${cur.base}/${type}_${cur.k++}` : `${type}_${this.loose++}`;
    const vs = outs.map((t, i) => ({ name: this.fresh(outs.length > 1 ? `${base}:${i}` : base), type: t }));
    let n = inputs.length;
    while (n > 0 && !inputs[n - 1]) n--;
    const ins = new Array<string>(n);
    for (let i = 0; i < n; i++) ins[i] = inputs[i]?.name ?? "";
    this.emitNode(type, base, ins, vs.map((v) => v.name), attrs);
    for (const v of vs) {
      this.pendingNames.push(v.name);
      this.pendingTypes.push(v.type);
      cur?.temps.push(v.name);
    }
    return vs;
  }

  /** An initializer holding constant data, shared by all uses of the same content. */
  constant(values: readonly number[], dtype: DType, dims: readonly number[]): V {
    const key = `${dtype}[${dims.join(",")}]${values.join(",")}`;
    const hit = this.consts.get(key);
    if (hit) return hit;
    const name = this.fresh(`const_${this.consts.size}`);
    this.initializers.push(tensorProto(name, dtype, dims, values));
    this.initNames.add(name);
    const v = { name, type: { shape: dims.map((d) => D.const(d)), dtype } };
    this.consts.set(key, v);
    return v;
  }

  /** A 1-D int64 constant (axes, shapes, starts). */
  ints(values: readonly number[]): V {
    return this.constant(values, "int64", [values.length]);
  }

  /** A 0-D constant of a dtype. */
  scalar(value: number, dtype: DType): V {
    return this.constant([value], dtype, []);
  }

  /** Adds an initializer with a chosen name (the IR's constants). */
  namedConstant(name: string, values: readonly number[], dtype: DType, dims: readonly number[]): void {
    this.initializers.push(tensorProto(name, dtype, dims, values));
    this.initNames.add(name);
  }
}

function sameType(a: TensorType, b: TensorType): boolean {
  if (a === b) return true;
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  for (let k = 0; k < a.shape.length; k++) if (!a.shape[k]!.equals(b.shape[k]!)) return false;
  return true;
}

const show = (t: TensorType): string => `[${t.shape.map((d) => d.toString()).join(", ")}] ${t.dtype}`;

export const T = (shape: readonly Dim[], dtype: DType): TensorType => ({ shape, dtype });
