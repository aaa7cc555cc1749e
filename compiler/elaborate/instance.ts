// The elaborated model: a tree of instances with concrete arguments, repeats unrolled
// into indexed children and every parameter tensor at a stable dotted path.
import type { BlockDecl, BlockKind, Expr, ForwardItem, RouteItem, Span } from "../ast/ast.js";
import type { Dim } from "../base/dims.js";
import type { DType } from "../base/tensor.js";
import type { FileScope } from "../resolve/scope.js";
import type { Value } from "./values.js";

export interface InitSpec {
  readonly name: string;
  readonly args: ReadonlyMap<string, Value>;
  readonly positional: readonly Value[];
}

export interface ParamTensor {
  /** Full dotted path, e.g. `vision.transformer.resblocks.3.attn.in_proj_weight`. */
  readonly path: string;
  readonly name: string;
  readonly shape: readonly Dim[];
  readonly dtype: DType;
  readonly init?: InitSpec;
  readonly span: Span;
  /** Set for parameters of an EMA teacher copy: they are updated, not trained. */
  readonly ema?: { readonly source: string; readonly momentum: number };
  /** A `buffer` (running statistics, fixed tables): saved and loaded with the weights by its
   *  path, never trained, not counted as a parameter. */
  readonly buffer?: true;
}

export type InstanceKind = BlockKind | "model" | "stack";

export interface Instance {
  readonly path: string;
  readonly name: string;
  readonly kind: InstanceKind;
  /** The declaration's name (`Encoder`), or `repeat` for a stack. */
  readonly declName: string;
  readonly decl?: BlockDecl;
  readonly scope?: FileScope;
  /** Bound arguments, in declaration order. */
  readonly args: ReadonlyMap<string, Value>;
  /** Arguments as written at the instantiation site (for diff). */
  readonly explicitArgs: ReadonlySet<string>;
  /** Compile-time names visible in the body: args, lets. */
  readonly env: ReadonlyMap<string, Value>;
  readonly params: readonly ParamTensor[];
  /** Conditional params and submodules whose condition was false: `none` in forward. */
  readonly absentParams?: readonly string[];
  readonly children: ReadonlyMap<string, Instance>;
  readonly forward?: ForwardItem;
  readonly route?: RouteItem;
  /** Where it was instantiated. */
  readonly span: Span;
  /** Set on EMA teacher copies. */
  readonly ema?: { readonly source: string; readonly momentum: number };
  /** Set on a memoized copy (elaborate/memo.ts): the instance whose structure it shares. */
  readonly template?: Instance;
}

export interface TaskInfo {
  readonly name: string;
  readonly outputs: readonly string[];
  readonly losses: readonly string[];
  readonly inputs: readonly string[];
  readonly span: Span;
  /** Where each named output, loss or input is written, for diagnostics. */
  readonly refSpans: ReadonlyMap<string, Span>;
}

export interface StageInfo {
  readonly name: string;
  readonly train: readonly string[][];
  readonly freeze: readonly string[][];
  readonly tasks: readonly string[];
  readonly span: Span;
  /** Where each pattern (joined by '.') or task name is written, for diagnostics. */
  readonly refSpans: ReadonlyMap<string, Span>;
}

export interface InputInfo {
  readonly name: string;
  readonly dims: readonly Dim[];
  readonly dtype: DType;
  readonly span: Span;
}

/** A `layout` item: rules mapping the model's state-dict paths to a checkpoint's
 *  (compiler/tools/weights/layout.ts applies them). */
export interface LayoutInfo {
  readonly name: string;
  readonly rules: readonly { readonly model: string; readonly checkpoint: string; readonly op: "rename" | "split" | "transpose" | "stack" }[];
  readonly span: Span;
}

export interface ElaboratedModel {
  readonly name: string;
  readonly root: Instance;
  readonly inputs: readonly InputInfo[];
  readonly tasks: readonly TaskInfo[];
  readonly stages: readonly StageInfo[];
  readonly layouts?: readonly LayoutInfo[];
  /** The layout its checkpoints load with when none is named (`default layout name`). */
  readonly defaultLayout?: string;
  /** The declaration and, for a variant, the variant declaration. */
  readonly span: Span;
  readonly doc?: string;
  readonly variantOf?: string;
}

/** Every parameter of an instance tree, depth first in declaration order; buffers are not
 *  parameters (allTensors has both). */
export function allParams(inst: Instance): ParamTensor[] {
  return allTensors(inst).filter((p) => !p.buffer);
}

/** Every buffer of an instance tree (running statistics and the like). */
export function allBuffers(inst: Instance): ParamTensor[] {
  return allTensors(inst).filter((p) => p.buffer);
}

/** Parameters and buffers: everything a state dict holds. */
export function allTensors(inst: Instance): ParamTensor[] {
  const out: ParamTensor[] = [];
  const stack: Instance[] = [inst];
  while (stack.length) { // depth first, declaration order, no recursion
    const i = stack.pop()!;
    out.push(...i.params);
    stack.push(...[...i.children.values()].reverse());
  }
  return out;
}

export type { Expr };
