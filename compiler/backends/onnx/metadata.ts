// What the ONNX model says about where it came from: doc strings pointing at the source
// (`examples/clip.mm:54`) and metadata_props (model, mm version, task, weights, outputs,
// per-stage trainable/frozen parameters, EMA sources), sorted by key so bytes are stable.
import { relative, sep } from "node:path";
import type { Span } from "../../ast/ast.js";
import type { ElaboratedModel } from "../../elaborate/instance.js";
import type { IrGraph } from "../../ir/ir.js";
import { projectRootOf, STDLIB_ROOT } from "../../resolve/host.js";
import { trainedIn } from "../../elaborate/stages.js";
import { VERSION } from "../../base/package.js";
import type { WeightsMode } from "../../ir/weights.js";

/** Turns spans into `path:line`: stdlib files as `std/...`, others relative to a root
 *  (default: the project root of the model's file), so output does not depend on cwd. */
export class SourceLocator {
  private readonly lineStarts = new Map<string, number[]>();
  private readonly root: string;

  constructor(private readonly sources: ReadonlyMap<string, string>, modelFile: string, root?: string) {
    this.root = root ?? projectRootOf(modelFile);
  }

  path(file: string): string {
    const inStd = file.startsWith(STDLIB_ROOT + sep);
    const rel = inStd ? `std/${relative(STDLIB_ROOT, file)}` : relative(this.root, file);
    return rel.split(sep).join("/");
  }

  line(span: Span): number | undefined {
    let starts = this.lineStarts.get(span.file);
    if (!starts) {
      const text = this.sources.get(span.file);
      if (text === undefined) return undefined;
      starts = [0];
      for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts.set(span.file, starts);
    }
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= span.start) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  where(span: Span): string {
    const line = this.line(span);
    return line === undefined ? this.path(span.file) : `${this.path(span.file)}:${line}`;
  }
}

export function weightsLabel(w: WeightsMode): string {
  return typeof w === "string" ? w : `random:${w.random}`;
}

export function metadataProps(model: ElaboratedModel, ir: IrGraph, weights: WeightsMode): { key: string; value: string }[] {
  const live = ir.params.filter((p) => !p.ema && !p.buffer).map((p) => p.path);
  const buffers = ir.params.filter((p) => p.buffer).map((p) => p.path);
  const stages = model.stages.map((s) => ({
    name: s.name, tasks: s.tasks,
    trainable: live.filter((p) => trainedIn(s, p)),
    frozen: live.filter((p) => !trainedIn(s, p)),
  }));
  const ema = Object.fromEntries(ir.params.filter((p) => p.ema).map((p) => [p.path, p.ema]));
  const props: Record<string, string> = {
    "mm.model": model.name,
    "mm.version": VERSION,
    "mm.task": ir.task ?? "",
    "mm.weights": weightsLabel(weights),
    "mm.outputs": JSON.stringify(ir.outputs.map((o) => ({ name: o.name, kind: o.kind }))),
    "mm.params": JSON.stringify(ir.params.filter((p) => !p.buffer).map((p) => p.path)),
    ...(buffers.length ? { "mm.buffers": JSON.stringify(buffers) } : {}),
    "mm.stages": JSON.stringify(stages),
    ...(Object.keys(ema).length ? { "mm.ema": JSON.stringify(ema) } : {}),
    ...(model.variantOf ? { "mm.variant_of": model.variantOf } : {}),
  };
  return Object.keys(props).sort().map((key) => ({ key, value: props[key]! }));
}
