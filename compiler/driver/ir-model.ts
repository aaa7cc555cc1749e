// Builds the IR model (ir/model.ts) of a checked model, once per command: the selected
// graph with its passes run, and the model-level facts the backends write beside it. This
// is the only place where the elaborated model meets the IR; backends read the result.
import { relative, sep } from "node:path";
import type { CheckedModel } from "../check/check-model.js";
import { allParams, allTensors, type Instance } from "../elaborate/instance.js";
import { trainedIn } from "../elaborate/stages.js";
import { graphSymbols } from "../ir/ir.js";
import type { IrInstance, IrModel, IrSourceFile, IrSourceFiles, IrStage, IrTensor } from "../ir/model.js";
import { DEFAULT_PIPELINE, runPasses } from "../ir/passes/index.js";
import { projectRootOf, STDLIB_ROOT } from "../resolve/host.js";
import { irFromChecked, irParamOf, type Selection } from "./build-ir.js";

export interface IrModelOptions extends Selection {
  /** IR passes to run (default: dead-values, fold-constants, cse, dead-values). */
  readonly passes?: readonly string[];
  /** Source paths are shown relative to this (default: the model file's project root);
   *  stdlib files as `std/...`. */
  readonly sourceRoot?: string;
  /** false: the caller's backend verifies the graph it reads (IrModel.verified). */
  readonly verify?: boolean;
}

export function buildIrModel(checked: CheckedModel, sources: ReadonlyMap<string, string>, options: IrModelOptions = {}): IrModel {
  const model = checked.model;
  const selected = irFromChecked(checked, options);
  const verified = options.verify ?? true;
  const graph = runPasses(selected, options.passes ?? DEFAULT_PIPELINE, { verify: verified });
  // The model-level facts are made when first read (each once): a backend reads a few of
  // them (ONNX: the stages; local functions: the tree; EMA: the tensors), and making all of
  // them was a tenth of a small model's structure-only compile.
  // (The dims are made now: later would keep the graph before the passes alive.)
  const dims = graphSymbols(selected.values);
  let tensors: IrTensor[] | undefined, stages: IrStage[] | undefined, tree: IrInstance | undefined;
  return {
    name: model.name, ...(model.doc ? { doc: model.doc } : {}), ...(model.variantOf ? { variantOf: model.variantOf } : {}),
    span: model.span, graph, verified, dims,
    get tensors(): IrTensor[] {
      return (tensors ??= allTensors(model.root).map((t) => {
        const { value: _, ...rest } = irParamOf(t, -1);
        return rest;
      }));
    },
    get stages(): IrStage[] {
      if (stages) return stages;
      const live = allParams(model.root).filter((p) => !p.ema);
      return (stages = model.stages.map((s) => ({ name: s.name, tasks: s.tasks, trained: live.filter((p) => trainedIn(s, p.path)).map((p) => p.path) })));
    },
    get tree(): IrInstance {
      return (tree ??= instanceTree(model.root));
    },
    files: sourceFiles(sources, model.span.file, options.sourceRoot),
  };
}

/** The instance tree as plain data, without recursion (a tree is as deep as its source). */
function instanceTree(root: Instance): IrInstance {
  const node = (i: Instance): IrInstance & { children: Map<string, IrInstance> } =>
    ({ path: i.path, declName: i.declName, stack: i.kind === "stack", children: new Map() });
  const top = node(root);
  const todo: [Instance, typeof top][] = [[root, top]];
  while (todo.length) {
    const [i, n] = todo.pop()!;
    for (const [name, c] of i.children) {
      const cn = node(c);
      n.children.set(name, cn);
      todo.push([c, cn]);
    }
  }
  return top;
}

/** Each source file's shown path and line starts, made when a span's file is first looked
 *  up: a compile locates spans in a few of the files it was given (the whole stdlib, often),
 *  and making an entry for each of them was a twentieth of a small model's compile. */
function sourceFiles(sources: ReadonlyMap<string, string>, modelFile: string, sourceRoot: string | undefined): IrSourceFiles {
  // The project root is looked up on the disk (a walk up with stats): only when a path is shown.
  let root = sourceRoot;
  const display = (file: string): string =>
    (file.startsWith(STDLIB_ROOT + sep) ? `std/${relative(STDLIB_ROOT, file)}` : relative((root ??= projectRootOf(modelFile)), file)).split(sep).join("/");
  const made = new Map<string, IrSourceFile>();
  return {
    get(file: string): IrSourceFile | undefined {
      const known = made.get(file);
      if (known) return known;
      const text = sources.get(file);
      if (text === undefined) return undefined;
      let starts: number[] | undefined, shown: string | undefined;
      const f: IrSourceFile = {
        get display(): string {
          return (shown ??= display(file));
        },
        get lineStarts(): readonly number[] {
          if (starts) return starts;
          starts = [0];
          for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
          return starts;
        },
      };
      made.set(file, f);
      return f;
    },
  };
}
