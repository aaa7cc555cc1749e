// ONNX messages to protobuf bytes, byte for byte what protobufjs writes for the same
// objects (onnx-proto's static code), 3-4 times faster on the stdlib's models.
//
// protobufjs encodes in two steps: it records an operation object for every field (and a
// fork for every nested message, to learn its length), then allocates the output and runs
// them. Here each field is written straight into one growing buffer. A nested message's
// length goes before its body but is known only after it, so one byte is reserved for it:
// almost every ONNX message below a node (attributes, dims, types) is shorter than 128
// bytes, whose length is that one byte; a longer body is moved up by the extra bytes of its
// length (one memmove of the body per level of nesting, the whole graph once;
// wire-writer.ts).
//
// A graph may hold its nodes and value infos already encoded (encodedGraph): the emitter
// encodes each lowering's nodes as it ends (sinks.ts), so a model's nodes are never all
// alive as objects; they become objects again only if someone reads them.
//
// The rules mirror the generated encoders (node_modules/onnx-proto/dist/onnx.js): fields in
// field-number order; a singular field is written when it is an own property that is not
// null or undefined (a decoded message's prototype defaults are not); repeated scalars are
// packed; int64 is a varint of the 64-bit two's complement, negative int32 too (ten bytes);
// strings are UTF-8. Fields mm never writes (sparse tensors, segments, training info,
// quantization annotations, sequence/map/optional types) go through protobufjs itself, so
// the bytes stay the same for any message. test/backends/onnx/wire.test.ts compares both
// encoders on hand-made messages that reach every path (negative and 64-bit ints, non-ASCII
// strings, long bodies, decoded messages) and on the stdlib's tiny models lowered with
// nodes as objects (protobufjs) and as encoded runs (mm).
import type { TensorType } from "../../base/tensor.js";
import { ONNX_DTYPE, onnx, type AttributeProto, type FunctionProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from "./proto.js";
import type { onnx as OnnxNs } from "onnx-proto";
import { WireWriter, type Int64 } from "./wire-writer.js";

export { WireWriter } from "./wire-writer.js";


const hasOwn = Object.prototype.hasOwnProperty;
/** protobufjs's test for a singular field. */
function has<T extends object>(m: T, k: keyof T & string): boolean {
  return m[k] != null && hasOwn.call(m, k);
}

// Tags: field number << 3 | wire type (0 varint, 2 length-delimited, 5 32-bit).
const strings = (w: WireWriter, tag: number, xs: readonly string[] | null | undefined): void => {
  if (xs) for (const x of xs) (w.uint32(tag), w.string(x));
};
function packedInt64(w: WireWriter, tag: number, xs: readonly Int64[]): void {
  w.uint32(tag);
  const at = w.fork();
  for (const x of xs) w.int64(x);
  w.ldelim(at);
}
/** A nested message through protobufjs (fields mm never writes). */
function viaProtobufjs<T>(w: WireWriter, tag: number, codec: { encode(m: T): { finish(): Uint8Array } }, m: T): void {
  w.uint32(tag);
  w.bytes(codec.encode(m).finish());
}
function nested<T>(w: WireWriter, tag: number, m: T, body: (w: WireWriter, m: T) => void): void {
  w.uint32(tag);
  const at = w.fork();
  body(w, m);
  w.ldelim(at);
}
function each<T>(w: WireWriter, tag: number, xs: readonly T[] | null | undefined, body: (w: WireWriter, m: T) => void): void {
  if (xs) for (const x of xs) nested(w, tag, x, body);
}

function stringEntry(w: WireWriter, m: OnnxNs.IStringStringEntryProto): void {
  if (has(m, "key")) (w.uint32(10), w.string(m.key!));
  if (has(m, "value")) (w.uint32(18), w.string(m.value!));
}

function opset(w: WireWriter, m: OnnxNs.IOperatorSetIdProto): void {
  if (has(m, "domain")) (w.uint32(10), w.string(m.domain!));
  if (has(m, "version")) (w.uint32(16), w.int64(m.version as Int64));
}

function dimension(w: WireWriter, m: OnnxNs.TensorShapeProto.IDimension): void {
  // The hot messages test their fields inline (a shared has() reads them megamorphically).
  const value = m.dimValue, param = m.dimParam;
  if (value != null && hasOwn.call(m, "dimValue")) (w.uint32(8), w.int64(value as Int64));
  if (param != null && hasOwn.call(m, "dimParam")) (w.uint32(18), w.string(param));
  if (has(m, "denotation")) (w.uint32(26), w.string(m.denotation!));
}

const shapeBody = (w: WireWriter, s: OnnxNs.ITensorShapeProto): void => each(w, 10, s.dim, dimension);
function tensorType(w: WireWriter, m: OnnxNs.TypeProto.ITensor): void {
  const elem = m.elemType, shape = m.shape;
  if (elem != null && hasOwn.call(m, "elemType")) (w.uint32(8), w.int32(elem));
  if (shape != null && hasOwn.call(m, "shape")) nested(w, 18, shape, shapeBody);
}

function typeProto(w: WireWriter, m: OnnxNs.ITypeProto): void {
  if (has(m, "tensorType")) nested(w, 10, m.tensorType!, tensorType);
  if (has(m, "sequenceType")) viaProtobufjs(w, 34, onnx.TypeProto.Sequence, m.sequenceType!);
  if (has(m, "mapType")) viaProtobufjs(w, 42, onnx.TypeProto.Map, m.mapType!);
  if (has(m, "denotation")) (w.uint32(50), w.string(m.denotation!));
  if (has(m, "sparseTensorType")) viaProtobufjs(w, 66, onnx.TypeProto.SparseTensor, m.sparseTensorType!);
  if (has(m, "optionalType")) viaProtobufjs(w, 74, onnx.TypeProto.Optional, m.optionalType!);
}

export function valueInfoBody(w: WireWriter, m: ValueInfoProto): void {
  const name = m.name, type = m.type, doc = m.docString;
  if (name != null && hasOwn.call(m, "name")) (w.uint32(10), w.string(name));
  if (type != null && hasOwn.call(m, "type")) nested(w, 18, type, typeProto);
  if (doc != null && hasOwn.call(m, "docString")) (w.uint32(26), w.string(doc));
}

/** A ValueInfoProto, length-prefixed, straight from a name and a type: the bytes of
 *  proto.ts's valueInfo(name, t) without making it (a dim is dim_value when constant, else
 *  dim_param; the shape is written even when empty, as an empty message). */
export function valueInfoOfType(w: WireWriter, name: string, t: TensorType): void {
  const at = w.fork();
  w.uint32(10);
  w.string(name);
  w.uint32(18);
  const type = w.fork();
  w.uint32(10);
  const tensor = w.fork();
  w.uint32(8);
  w.int32(ONNX_DTYPE[t.dtype]);
  w.uint32(18);
  const shape = w.fork();
  for (const d of t.shape) {
    w.uint32(10);
    const dim = w.fork();
    const c = d.constValue();
    if (c !== undefined) (w.uint32(8), w.int64(c));
    else (w.uint32(18), w.string(d.toString()));
    w.ldelim(dim);
  }
  w.ldelim(shape);
  w.ldelim(tensor);
  w.ldelim(type);
  w.ldelim(at);
}

/** A TensorProto's fields; `rawData: false` leaves raw_data out (the file writer streams it). */
export function tensorBody(w: WireWriter, m: TensorProto, rawData = true): void {
  if (m.dims?.length) packedInt64(w, 10, m.dims as Int64[]);
  if (has(m, "dataType")) (w.uint32(16), w.int32(m.dataType!));
  if (has(m, "segment")) viaProtobufjs(w, 26, onnx.TensorProto.Segment, m.segment!);
  if (m.floatData?.length) {
    w.uint32(34);
    const at = w.fork();
    for (const x of m.floatData) w.float(x);
    w.ldelim(at);
  }
  if (m.int32Data?.length) {
    w.uint32(42);
    const at = w.fork();
    for (const x of m.int32Data) w.int32(x);
    w.ldelim(at);
  }
  if (m.stringData?.length) for (const x of m.stringData) (w.uint32(50), w.bytes(x));
  if (m.int64Data?.length) packedInt64(w, 58, m.int64Data as Int64[]);
  if (has(m, "name")) (w.uint32(66), w.string(m.name!));
  if (rawData && has(m, "rawData")) (w.uint32(74), w.bytes(m.rawData!));
  if (m.doubleData?.length) {
    w.uint32(82);
    const at = w.fork();
    for (const x of m.doubleData) w.double(x);
    w.ldelim(at);
  }
  if (m.uint64Data?.length) packedInt64(w, 90, m.uint64Data as Int64[]);
  if (has(m, "docString")) (w.uint32(98), w.string(m.docString!));
  each(w, 106, m.externalData, stringEntry);
  if (has(m, "dataLocation")) (w.uint32(112), w.int32(m.dataLocation!));
}

function attributeBody(w: WireWriter, m: AttributeProto): void {
  if (has(m, "name")) (w.uint32(10), w.string(m.name!));
  if (has(m, "f")) (w.uint32(21), w.float(m.f!));
  if (has(m, "i")) (w.uint32(24), w.int64(m.i as Int64));
  if (has(m, "s")) (w.uint32(34), w.bytes(m.s!));
  if (has(m, "t")) nested(w, 42, m.t!, tensorBody);
  if (has(m, "g")) nested(w, 50, m.g!, graphBody);
  if (m.floats?.length) {
    w.uint32(58);
    const at = w.fork();
    for (const x of m.floats) w.float(x);
    w.ldelim(at);
  }
  if (m.ints?.length) packedInt64(w, 66, m.ints as Int64[]);
  if (m.strings?.length) for (const x of m.strings) (w.uint32(74), w.bytes(x));
  each(w, 82, m.tensors, tensorBody);
  each(w, 90, m.graphs, graphBody);
  if (has(m, "docString")) (w.uint32(106), w.string(m.docString!));
  if (has(m, "tp")) nested(w, 114, m.tp!, typeProto);
  each(w, 122, m.typeProtos, typeProto);
  if (has(m, "type")) (w.uint32(160), w.int32(m.type!));
  if (has(m, "refAttrName")) (w.uint32(170), w.string(m.refAttrName!));
  if (has(m, "sparseTensor")) viaProtobufjs(w, 178, onnx.SparseTensorProto, m.sparseTensor!);
  if (m.sparseTensors?.length) for (const x of m.sparseTensors) viaProtobufjs(w, 186, onnx.SparseTensorProto, x);
}

export function nodeBody(w: WireWriter, m: NodeProto): void {
  const name = m.name, op = m.opType, doc = m.docString, domain = m.domain;
  strings(w, 10, m.input);
  strings(w, 18, m.output);
  if (name != null && hasOwn.call(m, "name")) (w.uint32(26), w.string(name));
  if (op != null && hasOwn.call(m, "opType")) (w.uint32(34), w.string(op));
  each(w, 42, m.attribute, attributeBody);
  if (doc != null && hasOwn.call(m, "docString")) (w.uint32(50), w.string(doc));
  if (domain != null && hasOwn.call(m, "domain")) (w.uint32(58), w.string(domain));
}

/** GraphProto fields from `from` to `to` (field numbers, inclusive): the file writer puts
 *  the initializers' data between the head (1-2) and the rest. */
export function graphBody(w: WireWriter, m: GraphProto, from = 1, to = 15): void {
  const runs = RUNS.get(m);
  if (from <= 1 && to >= 1) {
    if (runs) w.raw(runs.node);
    else each(w, 10, m.node, nodeBody);
  }
  if (from <= 2 && to >= 2 && has(m, "name")) (w.uint32(18), w.string(m.name!));
  if (from <= 5 && to >= 5) each(w, 42, m.initializer, tensorBody);
  if (from <= 10 && to >= 10 && has(m, "docString")) (w.uint32(82), w.string(m.docString!));
  if (from <= 11 && to >= 11) each(w, 90, m.input, valueInfoBody);
  if (from <= 12 && to >= 12) each(w, 98, m.output, valueInfoBody);
  if (from <= 13 && to >= 13) {
    if (runs) w.raw(runs.valueInfo);
    else each(w, 106, m.valueInfo, valueInfoBody);
  }
  if (from <= 14 && to >= 14 && m.quantizationAnnotation?.length) for (const x of m.quantizationAnnotation) viaProtobufjs(w, 114, onnx.TensorAnnotation, x);
  if (from <= 15 && to >= 15 && m.sparseInitializer?.length) for (const x of m.sparseInitializer) viaProtobufjs(w, 122, onnx.SparseTensorProto, x);
}

function functionBody(w: WireWriter, m: FunctionProto): void {
  if (has(m, "name")) (w.uint32(10), w.string(m.name!));
  strings(w, 34, m.input);
  strings(w, 42, m.output);
  strings(w, 50, m.attribute);
  each(w, 58, m.node, nodeBody);
  if (has(m, "docString")) (w.uint32(66), w.string(m.docString!));
  each(w, 74, m.opsetImport, opset);
  if (has(m, "domain")) (w.uint32(82), w.string(m.domain!));
}

/** ModelProto fields from `from` to `to` (field numbers): the file writer streams the graph (7). */
export function modelBody(w: WireWriter, m: ModelProto, from = 1, to = 25): void {
  const in_ = (k: number): boolean => from <= k && k <= to;
  if (in_(1) && has(m, "irVersion")) (w.uint32(8), w.int64(m.irVersion as Int64));
  if (in_(2) && has(m, "producerName")) (w.uint32(18), w.string(m.producerName!));
  if (in_(3) && has(m, "producerVersion")) (w.uint32(26), w.string(m.producerVersion!));
  if (in_(4) && has(m, "domain")) (w.uint32(34), w.string(m.domain!));
  if (in_(5) && has(m, "modelVersion")) (w.uint32(40), w.int64(m.modelVersion as Int64));
  if (in_(6) && has(m, "docString")) (w.uint32(50), w.string(m.docString!));
  if (in_(7) && has(m, "graph")) nested(w, 58, m.graph!, graphBody);
  if (in_(8)) each(w, 66, m.opsetImport, opset);
  if (in_(14)) each(w, 114, m.metadataProps, stringEntry);
  if (in_(20) && m.trainingInfo?.length) for (const x of m.trainingInfo) viaProtobufjs(w, 162, onnx.TrainingInfoProto, x);
  if (in_(25)) each(w, 202, m.functions, functionBody);
}

/** A graph's nodes and value infos, encoded: runs of GraphProto fields 1 and 13. */
export interface EncodedRuns {
  readonly node: Uint8Array;
  readonly valueInfo: Uint8Array;
}

/** The runs of graphs made by encodedGraph that nobody has looked into. */
const RUNS = new WeakMap<GraphProto, EncodedRuns>();

/** A GraphProto whose `node` and `valueInfo` are encoded runs: the encoders here copy the
 *  runs. Reading either field decodes both into plain objects (protobufjs's toObject,
 *  int64 as numbers), and from then on the objects are the graph: the runs are dropped,
 *  so a change made to the objects is what gets encoded. A copy (`{ ...graph }`) reads the
 *  fields, so it has the objects. */
export function encodedGraph(fields: Omit<GraphProto, "node" | "valueInfo">, runs: EncodedRuns): GraphProto {
  const g: GraphProto = { ...fields };
  let decoded: { node: NodeProto[]; valueInfo: ValueInfoProto[] } | undefined;
  const materialize = (): { node: NodeProto[]; valueInfo: ValueInfoProto[] } => {
    if (!decoded) {
      const bytes = new Uint8Array(runs.node.length + runs.valueInfo.length);
      bytes.set(runs.node);
      bytes.set(runs.valueInfo, runs.node.length);
      const o = onnx.GraphProto.toObject(onnx.GraphProto.decode(bytes), { longs: Number, arrays: true }) as GraphProto;
      decoded = { node: o.node ?? [], valueInfo: o.valueInfo ?? [] };
      RUNS.delete(g);
      Object.defineProperty(g, "node", { value: decoded.node, writable: true, enumerable: true, configurable: true });
      Object.defineProperty(g, "valueInfo", { value: decoded.valueInfo, writable: true, enumerable: true, configurable: true });
    }
    return decoded;
  };
  Object.defineProperty(g, "node", { get: () => materialize().node, set: (v: NodeProto[]) => (materialize(), (g.node = v)), enumerable: true, configurable: true });
  Object.defineProperty(g, "valueInfo", { get: () => materialize().valueInfo, set: (v: ValueInfoProto[]) => (materialize(), (g.valueInfo = v)), enumerable: true, configurable: true });
  RUNS.set(g, runs);
  return g;
}

/** Room for a model's bytes up front: its encoded runs and its tensors' data, plus a start
 *  for the rest. */
function capacityFor(m: ModelProto): number {
  let n = 1 << 12;
  // The metadata (parameter paths per stage: large for a deep model) and the graph's inputs
  // (structure only: one per parameter), so that a large model's buffer is not regrown.
  for (const p of m.metadataProps ?? []) n += (p.key?.length ?? 0) + (p.value?.length ?? 0) + 8;
  const g = m.graph;
  if (!g) return n;
  n += 128 * ((g.input?.length ?? 0) + (g.output?.length ?? 0));
  const runs = RUNS.get(g);
  if (runs) n += runs.node.length + runs.valueInfo.length;
  for (const t of g.initializer ?? []) n += t.rawData?.length ?? 0;
  return n;
}

export function encodeModelWire(m: ModelProto): Uint8Array {
  const w = new WireWriter(capacityFor(m));
  modelBody(w, m);
  return w.done();
}

/** The bytes of one message of a kind, by its body writer. */
export function encodeWith<T>(body: (w: WireWriter, m: T) => void, m: T, capacity = 256): Uint8Array {
  const w = new WireWriter(capacity);
  body(w, m);
  return w.done();
}

/** GraphProto fields `from` to `to` (the file writer's head and tail of a graph). */
export function encodeGraphPart(g: GraphProto, from: number, to: number): Uint8Array {
  const runs = RUNS.get(g);
  const room = 4096 + (runs && from <= 1 ? runs.node.length : 0) + (runs && to >= 13 ? runs.valueInfo.length : 0) + (to >= 11 ? 128 * ((g.input?.length ?? 0) + (g.output?.length ?? 0)) : 0);
  return encodeWith((w, x: GraphProto) => graphBody(w, x, from, to), g, room);
}

export function encodeFunction(m: FunctionProto): Uint8Array {
  return encodeWith(functionBody, m);
}
