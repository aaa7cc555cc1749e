// The interface every primitive op implements. An op's shape rule lives in one place:
// its `infer`. Backends (ONNX, WebGPU) look ops up by name and read the same attributes.
import type { Span } from "../ast/ast.js";
import type { Dim } from "../base/dims.js";
import type { DType, TensorType } from "../base/tensor.js";

/** How an op argument is passed and checked. */
export type OpParamKind =
  | "tensor"      // a required tensor
  | "tensor?"     // an optional tensor (absent: none)
  | "tensors"     // a list of tensors, e.g. concat([a, b, c])
  | "int"         // a compile-time Int (may be a symbolic Dim where the op allows it)
  | "int?"
  | "ints"        // a list of Ints, e.g. a shape or a permutation (entries may be symbolic)
  | "ints?"
  | "float"
  | "float?"
  | "bool"
  | "string"
  | "dtype";

export interface OpParam {
  readonly name: string;
  readonly kind: OpParamKind;
  /** The default when the argument is omitted; omitted and no default means required
   *  (for "?" kinds, omitted means absent). */
  readonly default?: number | boolean | string | readonly number[];
  readonly doc?: string;
}

/** What an op's infer receives: checked, defaulted arguments by parameter name. */
export interface OpArgs {
  tensor(name: string): TensorType;
  optTensor(name: string): TensorType | undefined;
  tensors(name: string): readonly TensorType[];
  int(name: string): Dim;
  /** The Int as a plain number; reports MM3015 if it is symbolic. */
  num(name: string): number;
  optInt(name: string): Dim | undefined;
  ints(name: string): readonly Dim[];
  optInts(name: string): readonly Dim[] | undefined;
  float(name: string): number;
  optFloat(name: string): number | undefined;
  bool(name: string): boolean;
  string(name: string): string;
  dtype(name: string): DType;
  /** The span of an argument (or of the whole call when the argument was omitted). */
  span(name: string): Span;
  /** The span of the whole call. */
  readonly callSpan: Span;
}

/** Attributes a backend needs, normalised by infer (axes made non-negative, etc). An Int
 *  argument that is symbolic (a runtime dim, `P + 256`) is kept as its Dim, never dropped:
 *  the ONNX backend computes it from input shapes at run time, the WebGPU backend binds it
 *  when it specialises a plan. A list argument whose values are an output's dims (reshape
 *  and expand targets, split sizes, zeros and ones shapes) is null when symbolic: the
 *  output type carries it. Constants are plain numbers. */
export type OpAttrValue = number | boolean | string | readonly number[] | Dim | null;
export type OpAttrs = Readonly<Record<string, OpAttrValue>>;

export interface OpResult {
  readonly outputs: readonly TensorType[];
  readonly attrs: OpAttrs;
}

export interface OpDef {
  readonly name: string;
  readonly category: "arith" | "linalg" | "shape" | "reduce" | "activation" | "norm" | "nn" | "conv" | "loss" | "misc";
  readonly params: readonly OpParam[];
  /** One line: what it computes. */
  readonly doc: string;
  /** The shape rule in words / notation, for docs/ops.md. */
  readonly shapeRule: string;
  /** Composite ops (attention, layer_norm, gelu, ...) also have a decomposition into simpler
   *  ops for reference lowering; named here for the docs. */
  readonly decomposition?: string;
  /** Computes output types, or throws a DiagnosticError (compiler/diagnostics) at the span of
   *  the offending argument. */
  infer(args: OpArgs): OpResult;
}
