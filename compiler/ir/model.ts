// The IR model: everything a backend reads, built once per command by the driver
// (driver/build-ir.ts) from the checked model. The graph of the selected task with its
// passes run, and the model-level facts a backend writes beside it: its name and doc, every
// tensor of its state dict (the graph reads only some), what each stage trains, the instance
// tree (ONNX local functions follow it), and where each source file is shown and its lines
// start (doc strings say `examples/clip.mm:54`). Plain data: no elaboration values, no
// source text, no functions.
import type { Span } from "../ast/ast.js";
import type { IrGraph, IrParam } from "./ir.js";

/** A parameter or buffer of the model, whether or not the graph reads it. */
export type IrTensor = Omit<IrParam, "value">;

/** A block instance: its dotted path, its declaration, and its children by name. */
export interface IrInstance {
  readonly path: string;
  readonly declName: string;
  /** A repeat stack or a `sequential`: its children are its layers. */
  readonly stack: boolean;
  readonly children: ReadonlyMap<string, IrInstance>;
}

export interface IrStage {
  readonly name: string;
  readonly tasks: readonly string[];
  /** The paths of the parameters this stage trains (EMA copies and buffers never train). */
  readonly trained: readonly string[];
}

/** How a source file is shown (`std/towers/vit.mm`, or relative to the project) and where
 *  its lines start, for `file:line` doc strings. */
export interface IrSourceFile {
  readonly display: string;
  readonly lineStarts: readonly number[];
}

export interface IrModel {
  readonly name: string;
  readonly doc?: string;
  /** The base model of a variant (`model X = Base with {...}`). */
  readonly variantOf?: string;
  /** The model's declaration. */
  readonly span: Span;
  readonly graph: IrGraph;
  /** Whether `graph` was verified (ir/verify.ts) when built. A backend that rewrites the
   *  graph before reading it (ONNX decomposes) verifies what it reads; otherwise it may
   *  rely on this. */
  readonly verified: boolean;
  /** The symbolic dims of the selected graph before the passes pruned it, sorted: the ones a
   *  specialised plan or `mm run` binds. */
  readonly dims: readonly string[];
  /** Every parameter and buffer, in declaration order (depth first). */
  readonly tensors: readonly IrTensor[];
  readonly stages: readonly IrStage[];
  readonly tree: IrInstance;
  /** Every source file the spans point into, by file name. */
  readonly files: IrSourceFiles;
}

/** The source files by name: each is looked up by a span's file (a backend locates spans in
 *  a few of the files a compile was given, which are often the whole stdlib). */
export interface IrSourceFiles {
  get(file: string): IrSourceFile | undefined;
}

/** `file:line` of a span (`file` alone when the file is unknown). */
export function locate(files: IrModel["files"], span: Span): string {
  const f = files.get(span.file);
  if (!f) return span.file;
  const starts = f.lineStarts;
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= span.start) lo = mid;
    else hi = mid - 1;
  }
  return `${f.display}:${lo + 1}`;
}
