// mm's protobuf encoder (backends/onnx/wire.ts) against protobufjs, the oracle: the same
// message must give the same bytes. On hand-made messages that reach every path (negative
// and 64-bit ints, non-ASCII strings, bodies whose length takes 1 to 3 bytes, packed
// floats and doubles, decoded messages with prototype defaults and Long values, fields that
// go through protobufjs), and on stdlib models lowered twice: once with nodes as objects,
// which protobufjs encodes, once with nodes encoded as each lowering ends.
import { describe, expect, it } from "vitest";
import { compileToOnnx } from "../../../compiler/driver/compile.js";
import { onnx, type GraphProto, type ModelProto, type NodeProto } from "../../../compiler/backends/onnx/proto.js";
import { encodedGraph, encodeModelWire, encodeWith, graphBody, modelBody } from "../../../compiler/backends/onnx/wire.js";
import { Session } from "../../../compiler/driver/session.js";
import { isUnpublished } from "../../../compiler/elaborate/model.js";

const protobufjs = (m: ModelProto): Uint8Array => onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
const AT = onnx.AttributeProto.AttributeType;

/** A model with every kind of field mm's messages use, and some it never writes. */
function zoo(extra: Partial<NodeProto> = {}): ModelProto {
  const long = "x".repeat(200), longer = "y".repeat(20000);
  const node: NodeProto = {
    input: ["a", "", "b/é/🙂", "Łódź", "abé", "\ud800x", "\udc00" + "z".repeat(50)], output: [long], name: "n/Gemm_0", opType: "Gemm", docString: "std/models/clip.mm:12 — naïve",
    attribute: [
      { name: "alpha", type: AT.FLOAT, f: -1.5e-7 },
      { name: "axis", type: AT.INT, i: -1 },
      { name: "big", type: AT.INT, i: 2 ** 40 + 3 },
      { name: "neg_big", type: AT.INT, i: -(2 ** 40) - 5 },
      { name: "ints", type: AT.INTS, ints: [0, -1, 2 ** 31, -(2 ** 31), 2 ** 53 - 1, 127, 128, 16383, 16384] },
      { name: "floats", type: AT.FLOATS, floats: [0, -0, 1.5, Number.MAX_VALUE, NaN, Infinity] },
      { name: "s", type: AT.STRING, s: new TextEncoder().encode("bytes ✓") },
      { name: "strings", type: AT.STRINGS, strings: [new Uint8Array([0, 255]), new Uint8Array(300)] },
      { name: "t", type: AT.TENSOR, t: { name: "w", dims: [2, 3], dataType: 1, rawData: new Uint8Array(24).fill(7), floatData: [1, 2], int32Data: [-3, 4], int64Data: [-5, 2 ** 35], doubleData: [0.1, -2.5], uint64Data: [9, 2 ** 40], stringData: [new Uint8Array([1])], docString: "d", dataLocation: 0 } },
      { name: "g", type: AT.GRAPH, g: { name: "sub", node: [{ input: ["q"], output: ["r"], opType: "Relu" }] } },
      { name: "sparse", type: AT.SPARSE_TENSOR, sparseTensor: { dims: [4], values: { dims: [1], dataType: 1, floatData: [3] }, indices: { dims: [1], dataType: 7, int64Data: [2] } } },
      { name: "tp", type: AT.TYPE_PROTO, tp: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } },
      { name: "ref", refAttrName: "outer", type: AT.INT },
    ],
    domain: "mm.blocks",
    ...extra,
  };
  const graph: GraphProto = {
    node: [node, { input: [longer], output: ["z"], opType: "Identity" }],
    name: "zoo", docString: longer,
    initializer: [{ name: "c", dims: [], dataType: 7, rawData: new Uint8Array(8) }, { name: "e", dims: [1 << 20], dataType: 1, dataLocation: 1, externalData: [{ key: "location", value: "x.data" }, { key: "offset", value: "4096" }] }],
    input: [{ name: "a", type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: "B" }, { dimValue: 3 }, { dimParam: "B*T", denotation: "DATA_BATCH" }] } } } }],
    output: [{ name: "z", type: { tensorType: { elemType: 1, shape: { dim: [] } } }, docString: "out" }],
    valueInfo: [{ name: long, type: { tensorType: { elemType: 10, shape: { dim: [{ dimValue: 0 }] } }, denotation: "TENSOR" } }, { name: "m", type: { mapType: { keyType: 7, valueType: { tensorType: { elemType: 1 } } } } }],
    quantizationAnnotation: [{ tensorName: "a", quantParameterTensorNames: [{ key: "SCALE_TENSOR", value: "s" }] }],
  };
  return {
    irVersion: 8, producerName: "mm", producerVersion: "0.1.0", domain: "d", modelVersion: 2 ** 33, docString: "a model ü",
    graph, opsetImport: [{ domain: "", version: 17 }, { domain: "mm.blocks", version: 1 }],
    metadataProps: [{ key: "k", value: "v" }],
    trainingInfo: [{ initialization: { name: "init" } }],
    functions: [{ name: "f", domain: "mm.blocks", input: ["x0"], output: ["y0"], attribute: ["alpha"], node: [{ input: ["x0"], output: ["y0"], opType: "Relu" }], docString: "fn", opsetImport: [{ domain: "", version: 17 }] }],
  };
}

describe("the wire encoder writes what protobufjs writes", () => {
  it("for every field kind, on plain objects", () => {
    const m = zoo();
    expect(same(encodeModelWire(m), protobufjs(m))).toBe(true);
    // A change that must change the bytes does (the comparison can see one).
    expect(same(encodeModelWire(zoo({ name: "n/Gemm_1" })), protobufjs(m))).toBe(false);
  });

  it("for decoded messages: prototype defaults are not written, Long values are", () => {
    // (Against protobufjs on the decoded message: a lone surrogate does not survive decoding.)
    const decoded = onnx.ModelProto.decode(protobufjs(zoo()));
    expect(same(encodeModelWire(decoded), protobufjs(decoded))).toBe(true);
    const plain = onnx.ModelProto.toObject(decoded, { longs: Number, arrays: true }) as ModelProto;
    expect(same(encodeModelWire(plain), protobufjs(decoded))).toBe(true);
  });

  it("for a field set to null or undefined, and empty repeated fields (all left out)", () => {
    const m: ModelProto = { irVersion: undefined, producerName: null, graph: { name: "g", node: [], input: [], docString: undefined } };
    expect(same(encodeModelWire(m), protobufjs(m))).toBe(true);
  });

  it("in parts: the file writer's head and tail of a model and a graph make the whole", () => {
    const m = zoo();
    const g = m.graph!;
    const part = <T,>(f: (w: Parameters<typeof graphBody>[0], x: T) => void, x: T): Uint8Array => encodeWith(f, x);
    const head = part((w, x: ModelProto) => modelBody(w, x, 1, 6), m);
    const tail = part((w, x: ModelProto) => modelBody(w, x, 8, 25), m);
    const gHead = part((w, x: GraphProto) => graphBody(w, x, 1, 2), g);
    const gTail = part((w, x: GraphProto) => graphBody(w, x, 5, 15), g);
    const graphBytes = Buffer.concat([gHead, gTail]);
    expect(same(graphBytes, onnx.GraphProto.encode(g).finish())).toBe(true);
    const whole = protobufjs(m);
    expect(same(whole.subarray(0, head.length), head)).toBe(true);
    expect(same(whole.subarray(whole.length - tail.length), tail)).toBe(true);
  });
});

describe("a graph with encoded runs", () => {
  const m = zoo();
  const runs = {
    node: onnx.GraphProto.encode({ node: m.graph!.node }).finish(),
    valueInfo: onnx.GraphProto.encode({ valueInfo: m.graph!.valueInfo }).finish(),
  };
  const withRuns = (): ModelProto => {
    const { node: _n, valueInfo: _v, ...fields } = m.graph!;
    return { ...m, graph: encodedGraph(fields, runs) };
  };

  it("encodes as the graph with those nodes and value infos", () => {
    expect(same(encodeModelWire(withRuns()), protobufjs(m))).toBe(true);
  });

  it("shows its nodes as objects when read, and what is changed there is what is encoded", () => {
    const r = withRuns();
    expect(r.graph!.node!.map((n) => n.opType)).toEqual(["Gemm", "Identity"]);
    expect(r.graph!.node![0]!.attribute!.find((a) => a.name === "big")!.i).toBe(2 ** 40 + 3);
    expect(same(encodeModelWire(r), protobufjs(m))).toBe(true);
    r.graph!.node![1]!.opType = "Relu";
    const changed = zoo();
    changed.graph!.node![1]!.opType = "Relu";
    expect(same(encodeModelWire(r), protobufjs(changed))).toBe(true);
    // protobufjs itself reads the objects.
    expect(same(protobufjs(r), protobufjs(changed))).toBe(true);
  });

  it("keeps its nodes in a copy", () => {
    const copy = { ...withRuns().graph! };
    expect(copy.node!.length).toBe(2);
    expect(same(encodeModelWire({ ...m, graph: copy }), protobufjs(m))).toBe(true);
  });
});

describe("stdlib models: nodes encoded as they are made, against protobufjs on the same nodes as objects", () => {
  const session = new Session();
  const program = session.stdlib();
  const full = new Set(["CLIP_ViT_B32", "ALBEF"]);
  // With weights (inline raw_data) too: a few, for the time the suite has.
  const withWeights = new Set(["CLIP_ViT_B32_Tiny", "BLIP2_OPT_2_7B_Tiny", "VLMo_Base_Pretrain_Tiny"]);
  const picked = session.models(program).filter((r) => !isUnpublished(r.decl) && (r.name.endsWith("_Tiny") || full.has(r.name)));

  it("gives the same bytes for every tiny model and two full-size ones", () => {
    expect(picked.length).toBeGreaterThan(30);
    const differ: string[] = [];
    for (const ref of picked) {
      const r = session.compile(ref, program);
      if (!r.checked) continue;
      for (const weights of withWeights.has(ref.name) ? (["none", { random: 5 }] as const) : (["none"] as const)) {
        const streamed = compileToOnnx(r.checked, r.sources, { weights });
        const objects = compileToOnnx(r.checked, r.sources, { weights, objects: true });
        if (!same(streamed.bytes, protobufjs(objects.model)) || streamed.nodeCount !== objects.nodeCount) differ.push(`${ref.name} ${JSON.stringify(weights)}`);
      }
    }
    expect(differ).toEqual([]);
  });
});
