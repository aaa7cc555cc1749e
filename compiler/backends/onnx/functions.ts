// ONNX local functions (`--functions`): each block instance's nodes become one call of a
// FunctionProto in the `mm.blocks` domain, nested as the instances are (a block's function
// calls its children's functions; a repeat stack is transparent, its layers are called
// from the stack's owner). Instances whose lowered bodies are identical share one
// function, named after the block's declaration, with a short hash suffix when one
// declaration has several bodies (instances that differ in shapes or attributes).
//
// The emitted graph is outlined after lowering: an instance's nodes are a contiguous run
// of the topologically ordered node list (its forward ran in one go), so a run replaced by
// one call node keeps the order valid. A run's inputs are the values it reads and does not
// make (parameters stay initializers or graph inputs of the main graph, passed at the call
// site, so weights keep their dotted paths); constants are copied into the body as
// Constant nodes, so that bodies do not depend on initializer names; its outputs are the
// values it makes that a later node or a graph output reads. Runtime-dim computations
// (Shape of a graph input and arithmetic on it, cached across lowerings) are first hoisted
// to the top of the main graph, so that the first layer of a stack does not differ from
// the rest by computing them.
import { createHash } from "node:crypto";
import type { IrInstance as Instance } from "../../ir/model.js";
import { onnx, type FunctionProto, type GraphProto, type NodeProto, type TensorProto } from "./proto.js";
import { encodeFunction } from "./wire.js";

export const FUNCTION_DOMAIN = "mm.blocks";

export interface OutlineInput {
  readonly graph: GraphProto;
  /** The instance path of each node of `graph.node`. */
  readonly scopes: readonly string[];
  /** Runtime-dim temps (EmitContext.shared): hoisted when they read only graph inputs. */
  readonly shared: ReadonlySet<string>;
  /** Parameter names (graph inputs or initializers attached later). */
  readonly params: ReadonlySet<string>;
  readonly root: Instance;
  readonly opset: number;
  /** Non-default domains the graph's nodes use, with their versions. */
  readonly domains: ReadonlyMap<string, number>;
}

export interface Outlined {
  readonly graph: GraphProto;
  readonly functions: FunctionProto[];
}

interface Item {
  readonly node: NodeProto;
  readonly scope: string;
  /** The range of original node indices the item covers. */
  readonly lo: number;
  readonly hi: number;
}

interface Fn {
  readonly id: number;
  readonly key: string;
  readonly declName: string;
  readonly proto: FunctionProto;
}

const CALL = "@fn";
const AT = onnx.AttributeProto.AttributeType;

export function outlineFunctions(inp: OutlineInput): Outlined {
  const graph = inp.graph;
  const nodes = graph.node ?? [];
  const consts = new Map<string, TensorProto>((graph.initializer ?? []).filter((t) => !inp.params.has(t.name!)).map((t) => [t.name!, t]));

  // Hoist runtime-dim computations that read only graph inputs and constants.
  const known = new Set<string>([...(graph.input ?? []).map((v) => v.name!), ...consts.keys(), ...inp.params, ""]);
  const hoisted: number[] = [], rest: number[] = [];
  nodes.forEach((n, i) => {
    const outs = n.output ?? [];
    if (outs.length > 0 && outs.every((o) => inp.shared.has(o)) && (n.input ?? []).every((x) => known.has(x))) {
      hoisted.push(i);
      for (const o of outs) known.add(o);
    } else rest.push(i);
  });
  const order = [...hoisted, ...rest];
  const hoistedSet = new Set(hoisted);
  const items: Item[] = order.map((i, k) => ({ node: nodes[i]!, scope: hoistedSet.has(i) ? "" : inp.scopes[i]!, lo: k, hi: k }));

  // The last original index reading each value (graph outputs: read at the end).
  const lastUse = new Map<string, number>();
  items.forEach((it) => { for (const x of it.node.input ?? []) lastUse.set(x, it.lo); });
  for (const o of graph.output ?? []) lastUse.set(o.name!, Infinity);

  const fns = new Map<string, Fn>();
  const calls = new Map<string, number>();

  const childOf = (inst: Instance, scope: string): Instance | undefined => {
    let rest: string;
    if (inst.path === "") rest = scope;
    else if (scope.startsWith(inst.path + ".")) rest = scope.slice(inst.path.length + 1);
    else return undefined;
    const segs = rest.split(".");
    let c = segs[0] ? inst.children.get(segs[0]) : undefined;
    let k = 1;
    while (c && c.stack) c = k < segs.length ? c.children.get(segs[k++]!) : undefined;
    return c;
  };

  const relative = (base: string, path: string): string => (base === "" ? path : path === base ? "" : path.slice(base.length + 1));

  const relOr = (base: string, scope: string): string => {
    const rel = relative(base, scope);
    return rel ? `${rel}/` : "";
  };

  const makeFunction = (body: readonly Item[], inst: Instance): Item | undefined => {
    const lo = body[0]!.lo, hi = body[body.length - 1]!.hi;
    const made = new Set<string>();
    const inputs: string[] = [];
    const seen = new Set<string>();
    for (const it of body) {
      for (const x of it.node.input ?? []) if (x !== "" && !made.has(x) && !seen.has(x)) {
        seen.add(x);
        inputs.push(x);
      }
      for (const o of it.node.output ?? []) made.add(o);
    }
    const outputs = [...made].filter((o) => (lastUse.get(o) ?? -1) > hi);
    if (outputs.length === 0) return undefined;

    const rename = new Map<string, string>([["", ""]]);
    const fnNodes: NodeProto[] = [];
    const fnInputs: string[] = [], callInputs: string[] = [];
    for (const x of inputs) {
      const t = consts.get(x);
      if (t) {
        const name = `c${fnNodes.length}`;
        rename.set(x, name);
        const { name: _drop, ...value } = t;
        fnNodes.push({ input: [], output: [name], name: `Constant_${fnNodes.length}`, opType: "Constant", attribute: [{ name: "value", type: AT.TENSOR, t: value }] });
      } else {
        rename.set(x, `x${fnInputs.length}`);
        fnInputs.push(`x${fnInputs.length}`);
        callInputs.push(x);
      }
    }
    outputs.forEach((o, k) => rename.set(o, `y${k}`));
    let temps = 0;
    for (const it of body) {
      const n = it.node;
      for (const o of n.output ?? []) if (!rename.has(o)) rename.set(o, `t${temps++}`);
      // A call keeps its instance path (with `#k` for a later call of one instance),
      // relative to this function's instance; other nodes are `scope/Type_k`.
      const name = n.domain === FUNCTION_DOMAIN ? relative(inst.path, n.name!) : `${relOr(inst.path, it.scope)}${n.opType}_${fnNodes.length}`;
      const copy: NodeProto = { ...n, input: (n.input ?? []).map((x) => rename.get(x)!), output: (n.output ?? []).map((o) => rename.get(o)!), name };
      fnNodes.push(copy);
    }
    const proto: FunctionProto = { domain: FUNCTION_DOMAIN, input: fnInputs, output: outputs.map((_, k) => `y${k}`), node: fnNodes };
    const key = Buffer.from(encodeFunction(proto)).toString("base64"); // base64: the name hashes (below) take it
    let fn = fns.get(key);
    if (!fn) {
      fn = { id: fns.size, key, declName: inst.declName, proto };
      fns.set(key, fn);
    }
    const k = (calls.get(inst.path) ?? 0) + 1;
    calls.set(inst.path, k);
    const node: NodeProto = { input: callInputs, output: outputs, name: k === 1 ? inst.path : `${inst.path}#${k}`, opType: `${CALL}${fn.id}`, domain: FUNCTION_DOMAIN };
    return { node, scope: inst.path, lo, hi };
  };

  const outline = (list: readonly Item[], inst: Instance): Item[] => {
    const out: Item[] = [];
    let i = 0;
    while (i < list.length) {
      const child = childOf(inst, list[i]!.scope);
      if (!child) {
        out.push(list[i++]!);
        continue;
      }
      let j = i;
      while (j < list.length && childOf(inst, list[j]!.scope) === child) j++;
      const inner = outline(list.slice(i, j), child);
      const call = makeFunction(inner, child);
      if (call) out.push(call);
      else out.push(...inner);
      i = j;
    }
    return out;
  };

  const main = outline(items, inp.root);
  if (fns.size === 0) return { graph, functions: [] }; // no block made a function: as inlined

  // Names: the declaration's, with a hash suffix when a declaration has several bodies.
  const byDecl = new Map<string, Fn[]>();
  for (const f of fns.values()) byDecl.set(f.declName, [...(byDecl.get(f.declName) ?? []), f]);
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const [decl, fs] of byDecl) {
    for (const f of fs) {
      if (fs.length === 1) {
        names.set(`${CALL}${f.id}`, decl);
        taken.add(decl);
        continue;
      }
      const h = createHash("sha256").update(f.key).digest("hex");
      let len = 6;
      while (taken.has(`${decl}_${h.slice(0, len)}`)) len++;
      names.set(`${CALL}${f.id}`, `${decl}_${h.slice(0, len)}`);
      taken.add(`${decl}_${h.slice(0, len)}`);
    }
  }
  const patch = (n: NodeProto): NodeProto => (n.domain === FUNCTION_DOMAIN ? { ...n, opType: names.get(n.opType!)! } : n);

  const functions: FunctionProto[] = [...fns.values()].map((f) => {
    const body = f.proto.node!.map(patch);
    const domains = new Set(body.map((n) => n.domain ?? "").filter((d) => d !== ""));
    const opsetImport = [{ domain: "", version: inp.opset }, ...[...domains].sort().map((d) => ({ domain: d, version: d === FUNCTION_DOMAIN ? 1 : inp.domains.get(d) ?? 1 }))];
    return { ...f.proto, name: names.get(`${CALL}${f.id}`)!, node: body, opsetImport };
  });

  const mainNodes = main.map((it) => patch(it.node));
  const read = new Set([...mainNodes.flatMap((n) => n.input ?? []), ...(graph.output ?? []).map((o) => o.name!)]);
  const madeMain = new Set(mainNodes.flatMap((n) => n.output ?? []));
  return {
    graph: {
      ...graph,
      node: mainNodes,
      initializer: (graph.initializer ?? []).filter((t) => inp.params.has(t.name!) || read.has(t.name!)),
      valueInfo: (graph.valueInfo ?? []).filter((v) => madeMain.has(v.name!)),
    },
    functions,
  };
}
