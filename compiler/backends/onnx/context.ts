// The emitter context: fresh names, constant initializers (shared by content), NodeProtos
// with a type for every value they make (value_info), and the bracket around one IR
// node's lowering that names its ONNX nodes and binds its results to the IR value names.
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
  readonly first: number;
  k: number;
  readonly temps: Set<string>;
}

export class EmitContext {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  /** The type of every value a node makes, in creation order: value_info. */
  readonly types = new Map<string, TensorType>();
  /** Temps cached across lowerings (runtime dims): never renamed into an IR value. */
  readonly shared = new Set<string>();
  private readonly used = new Set<string>();
  private readonly consts = new Map<string, V>();
  private cur: Current | undefined;
  private loose = 0;

  constructor(readonly opset: number) {}

  /** Claims a name the IR chose (inputs, parameters, node outputs). */
  reserve(name: string): void {
    if (this.used.has(name)) throw new LoweringError(`name '${name}' is used twice`);
    this.used.add(name);
  }

  fresh(want: string): string {
    let name = want;
    for (let k = 2; this.used.has(name); k++) name = `${want}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Starts lowering one IR node: `base` names its ONNX nodes, `doc` is their doc_string. */
  begin(base: string, doc: string): void {
    this.cur = { base, doc, first: this.nodes.length, k: 0, temps: new Set() };
  }

  /** Ends the lowering: each result takes its IR value's name (a temp of this lowering is
   *  renamed; anything else is copied with Identity). A lone node takes the base name. */
  end(results: readonly V[], targets: readonly V[]): void {
    const cur = this.cur;
    if (!cur) throw new LoweringError("end() without begin()");
    if (results.length !== targets.length) throw new LoweringError(`${cur.base}: lowering made ${results.length} results for ${targets.length} outputs`);
    const moved = new Map<string, string>();
    results.forEach((r, i) => {
      const t = targets[i]!;
      const same = r.type.dtype === t.type.dtype && r.type.shape.length === t.type.shape.length && r.type.shape.every((d, k) => d.equals(t.type.shape[k]!));
      if (!same) throw new LoweringError(`${cur.base}: result ${i} is ${show(r.type)}, the IR says ${show(t.type)}`);
      if (r.name === t.name) return;
      if (cur.temps.has(r.name) && !this.shared.has(r.name)) {
        this.rename(cur.first, r.name, t.name);
        cur.temps.delete(r.name);
        moved.set(r.name, t.name);
      } else {
        this.emitNode("Identity", [moved.get(r.name) ?? r.name], [t.name], {});
      }
      this.types.set(t.name, t.type);
    });
    const mine = this.nodes.length - cur.first;
    if (mine === 1) this.nodes[cur.first]!.name = cur.base;
    this.cur = undefined;
  }

  private rename(from: number, old: string, name: string): void {
    for (let k = from; k < this.nodes.length; k++) {
      const n = this.nodes[k]!;
      n.input = n.input!.map((x) => (x === old ? name : x));
      n.output = n.output!.map((x) => (x === old ? name : x));
    }
    this.types.delete(old);
  }

  /** Node names live apart from value names: `base/Type_k` within a lowering. */
  private emitNode(type: string, inputs: readonly string[], outputs: readonly string[], attrs: Readonly<Record<string, Attr>>, domain = ""): void {
    const cur = this.cur;
    const name = cur ? `${cur.base}/${type}_${cur.k++}` : `${type}_${this.loose++}`;
    const node: NodeProto = { input: [...inputs], output: [...outputs], name, opType: type, attribute: attributes(attrs) };
    if (domain) node.domain = domain;
    if (cur?.doc) node.docString = cur.doc;
    this.nodes.push(node);
  }

  /** Emits one ONNX node with a single output of the given type. Absent optional inputs
   *  are null (an empty name, as ONNX writes them). */
  op(type: string, inputs: readonly (V | null)[], out: TensorType, attrs: Readonly<Record<string, Attr>> = {}): V {
    return this.opN(type, inputs, [out], attrs)[0]!;
  }

  opN(type: string, inputs: readonly (V | null)[], outs: readonly TensorType[], attrs: Readonly<Record<string, Attr>> = {}): V[] {
    const base = this.cur ? `${this.cur.base}/${type}_${this.cur.k}` : `${type}_${this.loose}`;
    const vs = outs.map((t, i) => ({ name: this.fresh(outs.length > 1 ? `${base}:${i}` : base), type: t }));
    let ins = inputs.map((x) => x?.name ?? "");
    while (ins.length > 0 && ins[ins.length - 1] === "") ins = ins.slice(0, -1);
    this.emitNode(type, ins, vs.map((v) => v.name), attrs);
    for (const v of vs) {
      this.types.set(v.name, v.type);
      this.cur?.temps.add(v.name);
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
  }
}

const show = (t: TensorType): string => `[${t.shape.map((d) => d.toString()).join(", ")}] ${t.dtype}`;

export const T = (shape: readonly Dim[], dtype: DType): TensorType => ({ shape, dtype });
