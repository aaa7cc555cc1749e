// Where the emitter's finished nodes go (context.ts's EmitSink). Local functions outline
// the graph's nodes after lowering, so they need them as objects (ObjectSink); a plain
// graph encodes each lowering's nodes and value infos as they finish (WireSink), and the
// model's GraphProto carries the encoded runs (wire.ts encodedGraph).
import type { TensorType } from "../../base/tensor.js";
import type { EmitSink } from "./context.js";
import { valueInfo, type NodeProto, type ValueInfoProto } from "./proto.js";
import { nodeBody, valueInfoOfType, WireWriter } from "./wire.js";

export class ObjectSink implements EmitSink {
  readonly nodes: NodeProto[] = [];
  /** The IR scope of each node (local functions group nodes by it). */
  readonly scopes: string[] = [];
  readonly infos: ValueInfoProto[] = [];
  /** The scope of the IR node being lowered. */
  scope = "";

  constructor(private readonly outputs: ReadonlySet<string>) {}

  node(n: NodeProto): void {
    this.nodes.push(n);
    this.scopes.push(this.scope);
  }

  type(name: string, t: TensorType): void {
    if (!this.outputs.has(name)) this.infos.push(valueInfo(name, t));
  }
}

export class WireSink implements EmitSink {
  /** GraphProto field 1 (node), each entry tagged and length-prefixed. */
  readonly nodes: WireWriter;
  /** GraphProto field 13 (value_info). */
  readonly infos: WireWriter;

  /** `irNodes` sizes the buffers (the stdlib's models take 400-1,400 bytes per IR node),
   *  so that a small model does not zero-fill large ones and a large one regrows them
   *  once or twice. */
  constructor(private readonly outputs: ReadonlySet<string>, irNodes: number) {
    this.nodes = new WireWriter(1024 + 512 * irNodes);
    this.infos = new WireWriter(1024 + 256 * irNodes);
  }

  node(n: NodeProto): void {
    const w = this.nodes;
    w.uint32(10);
    const at = w.fork();
    nodeBody(w, n);
    w.ldelim(at);
  }

  type(name: string, t: TensorType): void {
    if (this.outputs.has(name)) return;
    this.infos.uint32(106);
    valueInfoOfType(this.infos, name, t);
  }
}
