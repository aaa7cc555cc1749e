// The IR verifier: structural invariants every pass must keep. It runs on what a pass
// pipeline returns (and after building and each pass under MM_VERIFY_EACH=1, as in the
// test suite) and on a backend's decomposed graph; a failure is a compiler bug, reported
// as an IrError naming the pass (or pipeline) that broke the graph.
import { OPS } from "../ops/index.js";
import type { OpDef } from "../ops/op.js";
import { IrError, type IrGraph, type IrNode, type IrValue } from "./ir.js";

export function verifyIr(g: IrGraph, after = "build"): void {
  const bad = (msg: string): never => {
    throw new IrError(`after ${after}: ${msg}`);
  };
  // Ids are sorted small integers: arrays indexed by id, not maps (a verify runs after each
  // pass over every value and node).
  const maxId = g.values.length ? g.values[g.values.length - 1]!.id : -1;
  const byId: (IrValue | undefined)[] = new Array<IrValue | undefined>(Math.max(0, maxId + 1));
  const names = new Set<string>();
  let last = -1;
  for (const v of g.values) {
    if (v.id <= last) bad(`values are not sorted by unique id (${v.id} after ${last})`);
    last = v.id;
    if (names.has(v.name)) bad(`two values are named '${v.name}'`);
    names.add(v.name);
    if (!v.type || !Array.isArray(v.type.shape) || !v.type.dtype) bad(`value ${v.name} has no type`);
    byId[v.id] = v;
  }
  // `what` and `n` make the message only when something is wrong (a verify runs over every
  // node, up to once per pass: a string, or a closure, per input was most of its cost).
  const need = (id: number, what: string, n?: IrNode): IrValue =>
    (id >= 0 ? byId[id] : undefined) ?? bad(`${n ? `node ${n.op}_${n.id}` : what} reads missing value ${id}`);

  const defined = new Uint8Array(Math.max(0, maxId + 1));
  const inputNames = new Set<string>();
  for (const i of g.inputs) {
    const v = need(i.value, `input ${i.name}`);
    if (v.source.kind !== "input" || v.source.name !== i.name) bad(`input ${i.name} reads value ${v.name}, which is not that input`);
    if (inputNames.has(i.name)) bad(`input ${i.name} is listed twice`);
    inputNames.add(i.name);
    defined[v.id] = 1;
  }
  for (const p of g.params) {
    const v = need(p.value, `param ${p.path}`);
    if (v.source.kind !== "param" || v.source.path !== p.path) bad(`param ${p.path} reads value ${v.name}, which is not that parameter`);
    if (defined[v.id]) bad(`param ${p.path} is listed twice`);
    if (p.shape.length !== v.type.shape.length || p.shape.some((d, k) => !d.equals(v.type.shape[k]!))) bad(`param ${p.path} has a shape unlike its value's`);
    defined[v.id] = 1;
  }
  for (const v of g.values) {
    if (v.source.kind === "constant") defined[v.id] = 1;
    if ((v.source.kind === "input" || v.source.kind === "param") && !defined[v.id]) bad(`value ${v.name} is a graph ${v.source.kind} that is not listed`);
  }

  const nodeIds = new Set<number>();
  for (const n of g.nodes) {
    if (nodeIds.has(n.id)) bad(`two nodes have id ${n.id}`);
    nodeIds.add(n.id);
    checkArity(n, bad);
    for (const i of n.inputs) {
      if (i === null) continue;
      need(i, "", n);
      if (!defined[i]) bad(`node ${n.op}_${n.id} reads value ${byId[i]!.name} before it is defined`);
    }
    for (let k = 0; k < n.outputs.length; k++) {
      const o = n.outputs[k]!;
      const v = need(o, "", n);
      if (defined[o]) bad(`value ${v.name} is defined twice`);
      if (v.source.kind !== "node" || v.source.node !== n.id || v.source.index !== k) bad(`value ${v.name} does not name node ${n.op}_${n.id} output ${k} as its source`);
      defined[o] = 1;
    }
  }
  for (const v of g.values) if (!defined[v.id]) bad(`value ${v.name} is never defined`);

  const outNames = new Set<string>();
  const outValues = new Set<number>();
  if (g.outputs.length === 0) bad("the graph has no outputs");
  for (const o of g.outputs) {
    const v = need(o.value, `output ${o.name}`);
    if (v.name !== o.name) bad(`output ${o.name} reads value ${v.name}: an output's value carries its name`);
    if (v.source.kind !== "node") bad(`output ${o.name} is not computed by a node`);
    if (outNames.has(o.name) || outValues.has(o.value)) bad(`output ${o.name} is listed twice`);
    outNames.add(o.name);
    outValues.add(o.value);
  }
}

/** A node as messages name it (made only for an error). */
const where = (n: IrNode): string => `node ${n.op}_${n.id}`;

/** Each op's tensor parameters, worked out once per op (not once per node and pass). */
const tensorParamsOf = new WeakMap<object, OpDef["params"]>();

/** Inputs line up with the op's tensor parameters; outputs with what the op returns. */
function checkArity(n: IrNode, bad: (msg: string) => never): void {
  const def = OPS.get(n.op) ?? bad(`node ${n.id} uses unknown op '${n.op}'`);
  let tensorParams = tensorParamsOf.get(def);
  if (!tensorParams) tensorParamsOf.set(def, (tensorParams = def.params.filter((p) => p.kind === "tensor" || p.kind === "tensor?" || p.kind === "tensors")));
  if (tensorParams.some((p) => p.kind === "tensors")) {
    if (n.inputs.length < tensorParams.length) bad(`${where(n)} has ${n.inputs.length} inputs, expected at least ${tensorParams.length}`);
    if (n.inputs.some((i) => i === null)) bad(`${where(n)} has an absent input in a tensor list`);
  } else {
    if (n.inputs.length !== tensorParams.length) bad(`${where(n)} has ${n.inputs.length} inputs, expected ${tensorParams.length}`);
    for (let k = 0; k < n.inputs.length; k++)
      if (n.inputs[k] === null && tensorParams[k]!.kind !== "tensor?") bad(`${where(n)} lacks required input '${tensorParams[k]!.name}'`);
  }
  const expected = n.op === "topk" ? 2 : n.op === "split" ? undefined : 1;
  if (expected !== undefined && n.outputs.length !== expected) bad(`${where(n)} has ${n.outputs.length} outputs, expected ${expected}`);
  if (n.outputs.length === 0) bad(`${where(n)} has no outputs`);
  const sizes = n.attrs.sizes;
  if (n.op === "split" && Array.isArray(sizes) && sizes.length !== n.outputs.length) bad(`${where(n)} has ${n.outputs.length} outputs for ${sizes.length} sizes`);
}
