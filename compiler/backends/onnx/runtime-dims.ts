// Symbolic dims at run time. A target shape with a symbolic dim (reshape to [B, n, h, d],
// expand to [B, 1, w], arange(B)) is built in the graph: each dim is read from a tensor
// that has it (Shape with start/end, opset ≥ 15), or computed from the symbols it is a
// polynomial in (Dim.fold: Add, Mul, Div, Mod on int64), each symbol read from a graph
// input's shape. Everything is cached, so a symbol is read once per graph.
import { Dim } from "../../base/dims.js";
import { EmitContext, LoweringError, T, type V } from "./context.js";

const I64_1 = T([Dim.ONE], "int64");

export class RuntimeDims {
  private readonly byKey = new Map<string, V>();
  private readonly slices = new Map<string, V>();

  /** `inputs`: the graph's data inputs, where symbols are read. */
  constructor(private readonly ctx: EmitContext, private readonly inputs: readonly V[]) {}

  /** The dim as an int64 [1] tensor. `hints` are tensors that may have it as a dim. */
  dim(d: Dim, hints: readonly V[] = []): V {
    const c = d.constValue();
    if (c !== undefined) return this.ctx.ints([c]);
    for (const h of hints) {
      const i = h.type.shape.findIndex((x) => x.equals(d));
      if (i >= 0) return this.slice(h, i);
    }
    const hit = this.byKey.get(d.key);
    if (hit) return hit;
    const v = d.fold<V>({
      int: (n) => this.ctx.ints([n]),
      sym: (s) => this.symbol(s),
      add: (a, b) => this.arith("Add", a, b),
      mul: (a, b) => this.arith("Mul", a, b),
      floorDiv: (a, b) => this.arith("Div", a, b), // dims are positive: truncation is floor
      mod: (a, b) => this.arith("Mod", a, b),
    });
    this.byKey.set(d.key, v);
    return v;
  }

  /** The dims as one int64 [n] tensor; runs of constants become one initializer. */
  shape(dims: readonly Dim[], hints: readonly V[] = []): V {
    const consts = dims.map((d) => d.constValue());
    if (consts.every((c): c is number => c !== undefined)) return this.ctx.ints(consts);
    const parts: V[] = [];
    let run: number[] = [];
    dims.forEach((d, i) => {
      const c = consts[i];
      if (c !== undefined) return void run.push(c);
      if (run.length) parts.push(this.ctx.ints(run));
      run = [];
      parts.push(this.dim(d, hints));
    });
    if (run.length) parts.push(this.ctx.ints(run));
    return this.ctx.op("Concat", parts, T([Dim.const(dims.length)], "int64"), { axis: { i: 0 } });
  }

  /** The dim as an int64 scalar (Range bounds). */
  scalar(d: Dim, hints: readonly V[] = []): V {
    const c = d.constValue();
    if (c !== undefined) return this.ctx.scalar(c, "int64");
    const key = `scalar:${d.key}`;
    const hit = this.byKey.get(key);
    if (hit) return hit;
    const v = this.share(this.ctx.op("Squeeze", [this.dim(d, hints), this.ctx.ints([0])], T([], "int64")));
    this.byKey.set(key, v);
    return v;
  }

  /** Shape(x)[i:i+1], once per tensor and axis. */
  slice(x: V, i: number): V {
    const key = `${x.name}#${i}`;
    const hit = this.slices.get(key);
    if (hit) return hit;
    const v = this.share(this.ctx.op("Shape", [x], I64_1, { start: { i }, end: { i: i + 1 } }));
    this.slices.set(key, v);
    return v;
  }

  /** The whole runtime shape of x. */
  full(x: V): V {
    const key = `${x.name}#all`;
    const hit = this.slices.get(key);
    if (hit) return hit;
    const v = this.share(this.ctx.op("Shape", [x], T([Dim.const(x.type.shape.length)], "int64")));
    this.slices.set(key, v);
    return v;
  }

  private symbol(s: string): V {
    const sym = Dim.sym(s);
    for (const x of this.inputs) {
      const i = x.type.shape.findIndex((d) => d.equals(sym));
      if (i >= 0) return this.slice(x, i);
    }
    // An input dim `c*S + r` with constant c and r also gives S.
    for (const x of this.inputs) {
      for (let i = 0; i < x.type.shape.length; i++) {
        const lin = x.type.shape[i]!.linearIn(s);
        const c = lin?.cof.constValue(), r = lin?.rest.constValue();
        if (c === undefined || r === undefined || c === 0) continue;
        const minus = r === 0 ? this.slice(x, i) : this.arith("Sub", this.slice(x, i), this.ctx.ints([r]));
        return c === 1 ? minus : this.arith("Div", minus, this.ctx.ints([c]));
      }
    }
    throw new LoweringError(`symbolic dim ${s} is needed at run time but no graph input has it in its shape`);
  }

  private arith(op: string, a: V, b: V): V {
    return this.share(this.ctx.op(op, [a, b], I64_1));
  }

  private share(v: V): V {
    this.ctx.shared.add(v.name);
    return v;
  }
}
