// The traced graph: what the checker learns by executing every forward symbolically.
// Later stages (IR, backends, tools) consume it.
import type { Span } from "../ast/ast.js";
import type { OpAttrs } from "../ops/op.js";
import type { TensorType } from "../base/tensor.js";

export interface TensorRef {
  readonly id: number;
  readonly type: TensorType;
  /** Where the value was computed, for "this shape comes from here" notes. */
  readonly span: Span;
}

export type GraphValueSource =
  | { readonly kind: "input"; readonly name: string }
  | { readonly kind: "param"; readonly path: string }
  | { readonly kind: "constant"; readonly value: number | readonly number[] }
  | { readonly kind: "node"; readonly node: number; readonly index: number };

export interface GraphValue extends TensorRef {
  readonly source: GraphValueSource;
  /** A readable name: `vision.layers.3.attn/q` for a value bound to a local, else `scope/op_id`. */
  readonly name: string;
}

export interface GraphNode {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly (number | null)[];
  readonly outputs: readonly number[];
  readonly attrs: OpAttrs;
  /** The instance path whose forward created the node. */
  readonly scope: string;
  readonly span: Span;
}

/** A named tensor seen while tracing, for `mm shapes`. */
export interface ShapeRecord {
  readonly scope: string;
  readonly call: number;
  readonly role: "input" | "local" | "output" | "loss" | "param";
  readonly name: string;
  readonly type: TensorType;
}

export interface Graph {
  readonly values: readonly GraphValue[];
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly { readonly name: string; readonly value: number }[];
  readonly params: readonly { readonly path: string; readonly value: number }[];
  readonly outputs: readonly { readonly name: string; readonly value: number }[];
  readonly losses: readonly { readonly name: string; readonly value: number }[];
  readonly shapes: readonly ShapeRecord[];
}
