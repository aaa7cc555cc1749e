// Builds the ONNX ModelProto of an IR graph: graph inputs (symbolic dims as dim_param),
// one lowering per IR node (lower/), outputs, value_info for every intermediate value,
// node names `scope/op_id` with doc strings `file.mm:line`, metadata, opset import.
// Parameter data is not attached here: `weights` lists each parameter's tensor so that a
// caller can put the bytes in raw_data (index.ts) or stream them to external data.
import type { DType } from "../../base/tensor.js";
import type { IrParam } from "../../ir/ir.js";
import { locate, type IrModel } from "../../ir/model.js";
import { VERSION } from "../../base/package.js";
import { EmitContext, LoweringError, type V } from "./context.js";
import { LOWERINGS } from "./lower/index.js";
import { decompose } from "../../ir/passes/decompose.js";
import { verifyIr } from "../../ir/verify.js";
import { FUNCTION_DOMAIN, outlineFunctions } from "./functions.js";
import { metadataProps } from "./metadata.js";
import { A, attributes, ONNX_DTYPE, valueInfo, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from "./proto.js";
import { RuntimeDims } from "./runtime-dims.js";
import { ObjectSink, WireSink } from "./sinks.js";
import { encodedGraph, encodeModelWire } from "./wire.js";
import { paramDims, storedDType, type WeightsMode } from "../../ir/weights.js";

export const MIN_OPSET = 17;
export const MAX_OPSET = 23;

/** The IR version that goes with an opset (ONNX's release table). */
export function irVersionFor(opset: number): number {
  return opset <= 18 ? 8 : opset <= 20 ? 9 : opset <= 22 ? 10 : 11;
}

export interface EmitOptions {
  readonly opset: number;
  readonly weights: WeightsMode;
  /** Block instances as calls of ONNX local functions (functions.ts). */
  readonly functions?: boolean;
  /** Keep the graph's nodes and value infos as objects rather than encoded as each
   *  lowering ends (sinks.ts): the same bytes either way, the objects slower. */
  readonly objects?: boolean;
}

/** A parameter whose data a caller attaches as an initializer of this name. */
export interface WeightTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly number[];
  readonly param: IrParam;
}

export interface EmittedModel {
  /** Parameters are absent from `graph.initializer` (weights "none": they are inputs). */
  readonly model: ModelProto;
  /** Parameters to attach as initializers, in graph order; empty for weights "none". */
  readonly weights: readonly WeightTensor[];
  /** How many ONNX nodes each IR op became, for reports. */
  readonly nodeCount: number;
}

export function emitOnnx(model: IrModel, opts: EmitOptions): EmittedModel {
  if (!Number.isInteger(opts.opset) || opts.opset < MIN_OPSET || opts.opset > MAX_OPSET)
    throw new LoweringError(`opset ${opts.opset} is not supported (${MIN_OPSET} to ${MAX_OPSET})`);
  const outputNames = new Set(model.graph.outputs.map((o) => o.name));
  // Local functions outline the nodes afterwards, so they keep them as objects; otherwise
  // each lowering's nodes are encoded as it ends.
  const objects = opts.functions || opts.objects ? new ObjectSink(outputNames) : undefined;
  const wire = objects ? undefined : new WireSink(outputNames, model.graph.nodes.length);
  const ctx = new EmitContext(opts.opset, objects ?? wire!);
  // Composite ops this target has no lowering for become primitives first (one definition
  // of their arithmetic for every backend).
  const ir = decompose(model.graph, (op) => LOWERINGS.has(op));
  // What the lowering reads is verified once: here, unless it is the graph the IR model
  // says was verified.
  if (ir !== model.graph || !model.verified) verifyIr(ir, ir !== model.graph ? "decompose" : "building and the passes");
  const where = { where: (span: IrParam["span"]): string => locate(model.files, span) };
  // By value id (ids are dense: the IR builder numbers values from 0).
  const vals: V[] = [];
  for (const v of ir.values) {
    ctx.reserve(v.name);
    vals[v.id] = { name: v.name, type: v.type }; // one shape of object for every lowering
  }
  const dataInputs = ir.inputs.map((i) => vals[i.value]!);
  const structureOnly = opts.weights === "none";
  const paramInfos = ir.params.map((p) => valueInfo(vals[p.value]!.name, vals[p.value]!.type));
  // A parameter kept in half precision (`--dtype keep`) is an initializer `<name>.stored` of
  // its stored dtype, widened by a Cast at the top of the graph: the graph computes as before.
  const stored = (p: IrParam): DType => storedDType(p, opts.weights);
  const weights: WeightTensor[] = structureOnly ? [] : ir.params.map((p) => {
    const name = vals[p.value]!.name;
    return { name: stored(p) === p.dtype ? name : `${name}.stored`, dtype: stored(p), dims: paramDims(p), param: p };
  });
  const widen = structureOnly ? [] : ir.params.filter((p) => stored(p) !== p.dtype).map((p): NodeProto => ({
    opType: "Cast", input: [`${vals[p.value]!.name}.stored`], output: [vals[p.value]!.name],
    name: `${vals[p.value]!.name}.widen`, attribute: attributes({ to: A.i(ONNX_DTYPE[p.dtype]) }),
  }));

  for (const v of ir.values) {
    if (v.source.kind !== "constant") continue;
    const dims = v.type.shape.map((d) => d.constValue() ?? -1);
    if (dims.includes(-1)) throw new LoweringError(`constant ${v.name} has a symbolic shape`);
    const value = v.source.value;
    const n = dims.reduce((a, b) => a * b, 1);
    ctx.namedConstant(v.name, typeof value === "number" ? new Array<number>(n).fill(value) : value, v.type.dtype, dims);
  }

  const e = { ctx, dims: new RuntimeDims(ctx, dataInputs), opset: opts.opset };
  // The widening casts come first among the nodes (in a function's graph: after outlining).
  if (wire) for (const n of widen) wire.node(n);
  for (const node of ir.nodes) {
    const lower = LOWERINGS.get(node.op);
    if (!lower) throw new LoweringError(`no ONNX lowering for op '${node.op}'`);
    const base = `${node.scope ? node.scope + "/" : ""}${node.op}_${node.id}`;
    if (objects) objects.scope = node.scope;
    ctx.begin(base, where.where(node.span));
    const inputs = node.inputs.map((i) => (i === null ? null : vals[i]!));
    const targets = node.outputs.map((o) => vals[o]!);
    const r = lower(e, { op: node.op, inputs, outputs: targets.map((t) => t.type), attrs: node.attrs });
    ctx.end(Array.isArray(r) ? r : [r as V], targets);
  }
  ctx.flush();

  // A constant no lowering read (an operand a lowering turned into an attribute) goes.
  const unread = ctx.initializers.filter((t) => !ctx.read.has(t.name!) && !outputNames.has(t.name!));
  const fields = {
    name: ir.task ? `${ir.name}.${ir.task}` : ir.name,
    docString: where.where(model.span),
    initializer: unread.length ? ctx.initializers.filter((t) => !unread.includes(t)) : ctx.initializers,
    input: [...dataInputs.map((v) => valueInfo(v.name, v.type)), ...(structureOnly ? paramInfos : [])],
    output: ir.outputs.map((o) => valueInfo(o.name, vals[o.value]!.type)),
  };
  let graph: GraphProto;
  let functions: FunctionProto[] | undefined;
  if (objects && !opts.functions) {
    graph = { ...fields, node: widen.length ? [...widen, ...objects.nodes] : objects.nodes, valueInfo: objects.infos };
  } else if (objects) {
    const params = new Set(ir.params.map((p) => vals[p.value]!.name));
    const lowered = { ...fields, node: objects.nodes, valueInfo: objects.infos };
    const out = outlineFunctions({ graph: lowered, scopes: objects.scopes, shared: ctx.shared, params, root: model.tree, opset: opts.opset, domains: new Map() });
    graph = widen.length > 0 ? { ...out.graph, node: [...widen, ...(out.graph.node ?? [])] } : out.graph;
    functions = out.functions;
  } else {
    graph = encodedGraph(fields, { node: wire!.nodes.done(), valueInfo: wire!.infos.done() });
  }
  const proto: ModelProto = {
    irVersion: irVersionFor(opts.opset),
    opsetImport: [{ domain: "", version: opts.opset }, ...(functions?.length ? [{ domain: FUNCTION_DOMAIN, version: 1 }] : [])],
    producerName: "mm",
    producerVersion: VERSION,
    ...(model.doc ? { docString: model.doc } : {}),
    graph,
    metadataProps: metadataProps(model, opts.weights),
    ...(functions?.length ? { functions } : {}),
  };
  return { model: proto, weights, nodeCount: ctx.nodeCount };
}

/** Puts the parameters first among the initializers, each with its data. */
export function attachWeights(model: ModelProto, tensors: readonly TensorProto[]): ModelProto {
  const graph = model.graph!;
  return { ...model, graph: { ...graph, initializer: [...tensors, ...(graph.initializer ?? [])] } };
}

/** The model's bytes: what protobufjs writes for it (wire.ts, which is faster). */
export function encodeModel(model: ModelProto): Uint8Array {
  return encodeModelWire(model);
}
