// The traced graph: what the checker learns by executing every forward symbolically, in the
// IR's value and node types. The driver turns it into an IrGraph (driver/build-ir.ts); the
// tools read it directly.
import type { TensorType } from "../base/tensor.js";
import type { IrNode, IrValue } from "../ir/ir.js";

/** A named tensor seen while tracing, for `mm shapes`. */
export interface ShapeRecord {
  readonly scope: string;
  readonly call: number;
  readonly role: "input" | "local" | "output" | "loss" | "param";
  readonly name: string;
  readonly type: TensorType;
}

export interface Graph {
  /** The IR's values and nodes (ir/ir.ts), as traced. */
  readonly values: readonly IrValue[];
  readonly nodes: readonly IrNode[];
  readonly inputs: readonly { readonly name: string; readonly value: number }[];
  readonly params: readonly { readonly path: string; readonly value: number }[];
  readonly outputs: readonly { readonly name: string; readonly value: number }[];
  readonly losses: readonly { readonly name: string; readonly value: number }[];
  readonly shapes: readonly ShapeRecord[];
}
